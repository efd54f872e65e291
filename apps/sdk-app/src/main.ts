import { ConfigError, runApp } from "@dapr-resiliency/order-model";
import { createSdkOrderStore, type SdkProtocol } from "./order-store.js";

function protocol(env: Record<string, string | undefined>): SdkProtocol {
  const value = (env.DAPR_PROTOCOL || "http").toLowerCase();
  if (value !== "http" && value !== "grpc") {
    throw new ConfigError(`DAPR_PROTOCOL must be "http" or "grpc", got "${env.DAPR_PROTOCOL}"`);
  }
  return value;
}

await runApp({
  name: "sdk-app",
  describe: (dapr, env) =>
    protocol(env) === "grpc"
      ? `@dapr/dapr DaprClient over gRPC to daprd at ${dapr.host}:${dapr.grpcPort}`
      : `@dapr/dapr DaprClient over HTTP to daprd at http://${dapr.host}:${dapr.httpPort}`,
  createStore: (dapr, env) => createSdkOrderStore(dapr, protocol(env)),
});
