import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
// Only the generated protobuf-es v2 descriptors of @dapr/dapr are used, not its DaprClient.
import { Dapr } from "@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js";
import type { DaprEndpoint, Order, OrderStore } from "@dapr-resiliency/order-model";

/** Plain gRPC to dapr.proto.runtime.v1.Dapr (SaveState, GetState) over Connect's gRPC transport. */
export function createGrpcOrderStore(dapr: DaprEndpoint): OrderStore {
  const host = dapr.host.includes(":") ? `[${dapr.host}]` : dapr.host;
  const token = dapr.apiToken;
  const sendToken: Interceptor = (next) => async (req) => {
    if (token) req.header.set("dapr-api-token", token);
    return next(req);
  };
  const transport = createGrpcTransport({ baseUrl: `http://${host}:${dapr.grpcPort}`, interceptors: [sendToken] });
  const client = createClient(Dapr, transport);

  return {
    async save(order: Order, signal: AbortSignal) {
      // The value travels as bytes; JSON keeps it identical to what the HTTP API stores.
      const value = new TextEncoder().encode(JSON.stringify(order));
      await client.saveState({ storeName: dapr.storeName, states: [{ key: order.orderId, value }] }, { signal });
    },
    async get(orderId: string, signal: AbortSignal) {
      const res = await client.getState({ storeName: dapr.storeName, key: orderId }, { signal });
      return res.data.length === 0 ? undefined : JSON.parse(new TextDecoder().decode(res.data));
    },
    async close() {},
  };
}
