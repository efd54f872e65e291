import http from "node:http";
import type { DaprEndpoint, Order, OrderStore } from "@dapr-resiliency/order-model";

interface Answer {
  status: number;
  body: string;
}

/**
 * Plain HTTP to daprd's state API with `node:http` and a keep-alive Agent: no
 * npm dependency, and about a third of the client CPU per call of `fetch`
 * on Node 20 (see the README and tools/bench/clients.mjs).
 */
export function createHttpOrderStore(dapr: DaprEndpoint): OrderStore {
  // #region agent
  const agent = new http.Agent({
    keepAlive: true,
    // A pooled socket idle this long is closed by us, before daprd closes it
    // and a reuse races its FIN (undici's default is the same 4 s).
    timeout: 4_000,
    // Small requests: send each at once instead of waiting for the last ACK (Nagle).
    noDelay: true,
  });
  const path = `/v1.0/state/${encodeURIComponent(dapr.storeName)}`;
  const token: Record<string, string> = dapr.apiToken ? { "dapr-api-token": dapr.apiToken } : {};
  // STATE_CONSISTENCY=strong: each item asks for it (Redis's store then WAITs for its replicas); else none is sent.
  const itemOptions = dapr.consistency ? { options: { consistency: dapr.consistency } } : {};
  // #endregion agent

  /** One request; resolves with the status and the whole body, read to the end so the socket goes back to the pool. */
  function request(method: "GET" | "POST", url: string, body: string | undefined, signal: AbortSignal) {
    return new Promise<Answer>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { ...token };
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = Buffer.byteLength(body);
      }
      // #region request
      // `hostname` takes an IPv6 address without brackets (DAPR_HOST=::1).
      // `signal` destroys the request (and its socket) when the loop gives up.
      const req = http.request({ agent, hostname: dapr.host, port: dapr.httpPort, method, path: url, headers, signal });
      // #endregion request
      req.on("error", reject);
      req.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        // The socket died mid-body (abort, daprd gone): never resolve with half a body.
        res.on("error", reject);
        res.on("close", () => {
          if (!res.complete) reject(new Error(`daprd closed the connection during the ${method} answer`));
        });
      });
      req.end(body);
    });
  }

  /** daprd answers errors as {"errorCode": ..., "message": ...} with a 4xx/5xx status. */
  function check(answer: Answer): Answer {
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw new Error(`daprd answered ${answer.status} ${answer.body.trim()}`);
  }

  // #region store
  return {
    async save(order: Order, signal: AbortSignal) {
      check(
        await request("POST", path, JSON.stringify([{ key: order.orderId, value: order, ...itemOptions }]), signal),
      );
    },
    async get(orderId: string, signal: AbortSignal) {
      const answer = check(await request("GET", `${path}/${encodeURIComponent(orderId)}`, undefined, signal));
      // 204 No Content: the key holds nothing
      return answer.status === 204 || answer.body === "" ? undefined : JSON.parse(answer.body);
    },
    async close() {
      agent.destroy();
    },
  };
  // #endregion store
}
