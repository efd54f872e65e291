import type { DaprEndpoint, Order, OrderStore } from "@dapr-resiliency/order-model";

/** Plain HTTP to daprd's state API with Node's own fetch (keep-alive is its default). */
export function createHttpOrderStore(dapr: DaprEndpoint): OrderStore {
  const host = dapr.host.includes(":") ? `[${dapr.host}]` : dapr.host;
  const url = `http://${host}:${dapr.httpPort}/v1.0/state/${encodeURIComponent(dapr.storeName)}`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (dapr.apiToken) headers["dapr-api-token"] = dapr.apiToken;

  async function check(res: Response): Promise<Response> {
    if (res.ok) return res;
    // daprd answers errors as {"errorCode": ..., "message": ...}
    const body = await res.text();
    throw new Error(`daprd answered ${res.status} ${body.trim()}`);
  }

  return {
    async save(order: Order, signal: AbortSignal) {
      const res = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify([{ key: order.orderId, value: order }]),
        signal,
      });
      await check(res);
      await res.arrayBuffer(); // drain, so the connection goes back to the pool
    },
    async get(orderId: string, signal: AbortSignal) {
      const res = await check(await fetch(`${url}/${encodeURIComponent(orderId)}`, { headers, signal }));
      // 204 No Content: the key holds nothing
      return res.status === 204 ? (await res.arrayBuffer(), undefined) : await res.json();
    },
    async close() {},
  };
}
