// @ts-check
// The two client styles the apps measured and did not keep, for
// tools/bench/clients.mjs only: plain HTTP with Node's `fetch` (http-app's
// earlier code) and plain gRPC with Connect's gRPC transport (grpc-app's
// earlier code). Each imports its library when created, so a bench worker
// loads only the client it runs.

/** @typedef {import("@dapr-resiliency/order-model").DaprEndpoint} DaprEndpoint */
/** @typedef {import("@dapr-resiliency/order-model").OrderStore} OrderStore */
/** @typedef {import("@dapr-resiliency/order-model").Order} Order */

const bracketed = (/** @type {string} */ host) => (host.includes(":") ? `[${host}]` : host);

/**
 * Node's fetch (undici bundled in Node), keep-alive by default.
 * @param {DaprEndpoint} dapr
 * @returns {OrderStore}
 */
export function createFetchOrderStore(dapr) {
  const url = `http://${bracketed(dapr.host)}:${dapr.httpPort}/v1.0/state/${encodeURIComponent(dapr.storeName)}`;
  /** @type {Record<string, string>} */
  const headers = { "content-type": "application/json" };
  if (dapr.apiToken) headers["dapr-api-token"] = dapr.apiToken;
  /** @param {Response} res */
  async function check(res) {
    if (!res.ok) throw new Error(`daprd answered ${res.status} ${(await res.text()).trim()}`);
    return res;
  }
  return {
    async save(order, signal) {
      const body = JSON.stringify([{ key: order.orderId, value: order }]);
      await (await check(await fetch(url, { method: "POST", headers, body, signal }))).arrayBuffer();
    },
    async get(orderId, signal) {
      const res = await check(await fetch(`${url}/${encodeURIComponent(orderId)}`, { headers, signal }));
      return res.status === 204 ? (await res.arrayBuffer(), undefined) : await res.json();
    },
    async close() {},
  };
}

/**
 * Connect's gRPC transport (HTTP/2 from node:http2) with @dapr/dapr's protobuf-es descriptors.
 * @param {DaprEndpoint} dapr
 * @returns {Promise<OrderStore>}
 */
export async function createConnectOrderStore(dapr) {
  const { createClient } = await import("@connectrpc/connect");
  const { createGrpcTransport } = await import("@connectrpc/connect-node");
  const { Dapr } = await import("@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js");
  /** @type {import("@connectrpc/connect").Interceptor} */
  const sendToken = (next) => async (req) => {
    if (dapr.apiToken) req.header.set("dapr-api-token", dapr.apiToken);
    return next(req);
  };
  const transport = createGrpcTransport({
    baseUrl: `http://${bracketed(dapr.host)}:${dapr.grpcPort}`,
    interceptors: [sendToken],
  });
  const client = createClient(Dapr, transport);
  return {
    async save(order, signal) {
      const value = new TextEncoder().encode(JSON.stringify(order));
      await client.saveState({ storeName: dapr.storeName, states: [{ key: order.orderId, value }] }, { signal });
    },
    async get(orderId, signal) {
      const res = await client.getState({ storeName: dapr.storeName, key: orderId }, { signal });
      return res.data.length === 0 ? undefined : JSON.parse(new TextDecoder().decode(res.data));
    },
    async close() {},
  };
}
