import { CommunicationProtocolEnum, DaprClient, LogLevel } from "@dapr/dapr";
import type { DaprEndpoint, Order, OrderStore } from "@dapr-resiliency/order-model";

export type SdkProtocol = "http" | "grpc";

/** The official SDK's DaprClient, over HTTP (default) or gRPC. */
export function createSdkOrderStore(dapr: DaprEndpoint, protocol: SdkProtocol): OrderStore {
  const client = new DaprClient({
    daprHost: dapr.host,
    daprPort: String(protocol === "grpc" ? dapr.grpcPort : dapr.httpPort),
    communicationProtocol: protocol === "grpc" ? CommunicationProtocolEnum.GRPC : CommunicationProtocolEnum.HTTP,
    ...(dapr.apiToken ? { daprApiToken: dapr.apiToken } : {}),
    // The SDK logs at info level to stdout; keep stdout for the order lines.
    logger: { level: LogLevel.Error },
  });

  // Before its first call the SDK polls daprd's /v1.0/metadata for up to 60 s
  // and takes any refusal for "not started yet": a wrong or missing
  // DAPR_API_TOKEN would look like a silent hang. Ask once ourselves, so a
  // refused token fails the call at once with daprd's answer.
  const host = dapr.host.includes(":") ? `[${dapr.host}]` : dapr.host;
  let daprdAccepted = false;
  async function checkDaprdAccepts(signal: AbortSignal): Promise<void> {
    if (daprdAccepted) return;
    const res = await fetch(`http://${host}:${dapr.httpPort}/v1.0/metadata`, {
      headers: dapr.apiToken ? { "dapr-api-token": dapr.apiToken } : {},
      signal,
    });
    const body = (await res.text()).trim();
    if (res.status === 401 || res.status === 403) {
      throw new Error(
        `daprd answered ${res.status} ${body}: DAPR_API_TOKEN ${dapr.apiToken ? "does not match daprd's" : "is not set, and daprd requires one"}`,
      );
    }
    daprdAccepted = res.ok;
  }

  return {
    // The SDK takes no AbortSignal: the order loop abandons a call that outlives its timeout.
    async save(order: Order, signal: AbortSignal) {
      await checkDaprdAccepts(signal);
      const res = await client.state.save(dapr.storeName, [{ key: order.orderId, value: order }]);
      // Over HTTP the SDK resolves with {error} instead of throwing (dapr/js-sdk#481):
      // unchecked, a failed save would look like a saved order.
      if (res && "error" in res && res.error) throw res.error;
    },
    async get(orderId: string, signal: AbortSignal) {
      await checkDaprdAccepts(signal);
      const value = await client.state.get(dapr.storeName, orderId);
      // A missing key comes back as "" (HTTP 204) or an empty string (gRPC).
      return value === "" || value === null ? undefined : value;
    },
    async close() {
      await client.stop();
    },
  };
}
