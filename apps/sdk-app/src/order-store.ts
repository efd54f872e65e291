import http from "node:http";
import {
  CommunicationProtocolEnum,
  DaprClient,
  LogLevel,
  StateConcurrencyEnum,
  StateConsistencyEnum,
} from "@dapr/dapr";
import type { Consistency, DaprEndpoint, Order, OrderStore } from "@dapr-resiliency/order-model";

/** The SDK's enum for each STATE_CONSISTENCY value. */
const CONSISTENCY: Record<Consistency, StateConsistencyEnum> = {
  strong: StateConsistencyEnum.CONSISTENCY_STRONG,
  eventual: StateConsistencyEnum.CONSISTENCY_EVENTUAL,
};

export type SdkProtocol = "http" | "grpc";

/**
 * Over HTTP the SDK throws daprd's answer as JSON in the message
 * ({"error":"Internal Server Error","error_msg":"{\"errorCode\"...","status":500});
 * say it the way the other two apps do: `daprd answered 500 {"errorCode":...}`.
 */
function readable(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  try {
    const answer = JSON.parse(err.message) as { status?: unknown; error_msg?: unknown };
    if (typeof answer.status === "number") {
      return new Error(`daprd answered ${answer.status} ${String(answer.error_msg ?? "").trim()}`);
    }
  } catch {
    // not the SDK's JSON (a gRPC ConnectError, a network error): as it is
  }
  return err;
}

/** The official SDK's DaprClient, over HTTP (default) or gRPC. */
export function createSdkOrderStore(dapr: DaprEndpoint, protocol: SdkProtocol): OrderStore {
  // #region client
  const client = new DaprClient({
    // The SDK parses "host:port" as a URL: an IPv6 address needs its brackets.
    daprHost: dapr.host.includes(":") ? `[${dapr.host}]` : dapr.host,
    daprPort: String(protocol === "grpc" ? dapr.grpcPort : dapr.httpPort),
    communicationProtocol: protocol === "grpc" ? CommunicationProtocolEnum.GRPC : CommunicationProtocolEnum.HTTP,
    ...(dapr.apiToken ? { daprApiToken: dapr.apiToken } : {}),
    // The SDK logs at info level to stdout; keep stdout for the order lines.
    logger: { level: LogLevel.Error },
  });
  // STATE_CONSISTENCY=strong: each item asks for it (Redis's store then WAITs for its replicas); else none is sent.
  // The SDK reads it per item (options.consistency), not from save()'s options, which carry only metadata.
  // Its type wants a concurrency too: "unspecified" is what the SDK sends as none (daprd's default, last-write).
  const concurrency = StateConcurrencyEnum.CONCURRENCY_UNSPECIFIED;
  const itemOptions = dapr.consistency ? { options: { consistency: CONSISTENCY[dapr.consistency], concurrency } } : {};
  // #endregion client

  // #region first-call
  // Before its first call the SDK polls daprd's /v1.0/metadata for about 31 s (60 probes, 500 ms apart)
  // and takes any refusal for "not started yet": a wrong or missing
  // DAPR_API_TOKEN would look like a silent hang. Ask once ourselves, so a
  // refused token fails the call at once with daprd's answer.
  // node:http, not fetch: the SDK already loads it, while fetch would load undici on top
  // (17 more built-in modules, about 10 ms and 3 MB on its first call).
  let daprdAccepted = false;
  async function checkDaprdAccepts(signal: AbortSignal): Promise<void> {
    if (daprdAccepted) return;
    const headers = dapr.apiToken ? { "dapr-api-token": dapr.apiToken } : {};
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get(
        { hostname: dapr.host, port: dapr.httpPort, path: "/v1.0/metadata", headers, signal, agent: false },
        (answer) => {
          let body = "";
          answer.setEncoding("utf8");
          answer.on("data", (chunk: string) => (body += chunk));
          answer.on("end", () => resolve({ status: answer.statusCode ?? 0, body: body.trim() }));
          answer.on("error", reject);
        },
      );
      req.on("error", reject);
    });
    if (res.status === 401 || res.status === 403) {
      throw new Error(
        `daprd answered ${res.status} ${res.body}: DAPR_API_TOKEN ${dapr.apiToken ? "does not match daprd's" : "is not set, and daprd requires one"}`,
      );
    }
    daprdAccepted = res.status >= 200 && res.status < 300;
  }
  // #endregion first-call

  // #region store
  return {
    // The SDK takes no AbortSignal: the order loop abandons a call that outlives its timeout.
    async save(order: Order, signal: AbortSignal) {
      await checkDaprdAccepts(signal);
      const res = await client.state.save(dapr.storeName, [{ key: order.orderId, value: order, ...itemOptions }]);
      // Over HTTP the SDK resolves with {error} instead of throwing (dapr/js-sdk#481):
      // unchecked, a failed save would look like a saved order.
      if (res && "error" in res && res.error) throw readable(res.error);
    },
    async get(orderId: string, signal: AbortSignal) {
      await checkDaprdAccepts(signal);
      const value = await client.state.get(dapr.storeName, orderId).catch((err: unknown) => {
        throw readable(err);
      });
      // A missing key comes back as "" (HTTP 204) or an empty string (gRPC).
      return value === "" || value === null ? undefined : value;
    },
    async close() {
      await client.stop();
    },
  };
  // #endregion store
}
