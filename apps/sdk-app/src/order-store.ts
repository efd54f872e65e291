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

  return {
    // The SDK takes no AbortSignal: the order loop abandons a call that outlives its timeout.
    async save(order: Order) {
      const res = await client.state.save(dapr.storeName, [{ key: order.orderId, value: order }]);
      // Over HTTP the SDK resolves with {error} instead of throwing (dapr/js-sdk#481):
      // unchecked, a failed save would look like a saved order.
      if (res && "error" in res && res.error) throw res.error;
    },
    async get(orderId: string) {
      const value = await client.state.get(dapr.storeName, orderId);
      // A missing key comes back as "" (HTTP 204) or an empty string (gRPC).
      return value === "" || value === null ? undefined : value;
    },
    async close() {
      await client.stop();
    },
  };
}
