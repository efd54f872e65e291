import { runApp } from "@dapr-resiliency/order-model";
import { createGrpcOrderStore } from "./order-store.js";

await runApp({
  name: "grpc-app",
  describe: (dapr) => `plain gRPC (@grpc/grpc-js) to daprd at ${dapr.host}:${dapr.grpcPort}`,
  createStore: (dapr) => createGrpcOrderStore(dapr),
});
