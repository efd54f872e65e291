// @ts-check
// The clients the bench driver can drive, all with the apps' OrderStore shape
// ({save, get, close}): the three apps' own stores (imported by package name,
// so what is timed is each style's real code path), Redis direct, and the
// "ceiling" clients, the cheapest HTTP and gRPC clients we could write for daprd.
import net from "node:net";

/** @typedef {{orderId: string}} Order */
/** @typedef {{save(order: Order, signal: AbortSignal): Promise<void>, get(id: string, signal: AbortSignal): Promise<Order | undefined>, close(): Promise<void>}} Store */
/** @typedef {{host: string, httpPort: number, grpcPort: number, apiToken?: string, storeName: string}} Endpoint */

export const STORES = ["redis", "sdk-http", "sdk-grpc", "http", "grpc", "ceiling", "grpc-ceiling"];

/** daprd's endpoint from the variables startSidecar sets for an app. */
export function endpointFromEnv(env = process.env) {
  return {
    host: env.DAPR_HOST || "127.0.0.1",
    httpPort: Number(env.DAPR_HTTP_PORT),
    grpcPort: Number(env.DAPR_GRPC_PORT),
    apiToken: env.DAPR_API_TOKEN || undefined,
    storeName: "statestore",
  };
}

/**
 * A pool where each connection carries one call at a time: N calls in flight
 * use N connections, so nothing is pipelined and every call pays its own round trip.
 * @template C
 * @param {() => Promise<C>} open
 */
function onePerCall(open) {
  /** @type {C[]} */
  const free = [];
  /** @type {C[]} */
  const all = [];
  return {
    all,
    /** @template T @param {(c: C) => Promise<T>} fn */
    async use(fn) {
      let c = free.pop();
      if (!c) {
        c = await open();
        all.push(c);
      }
      try {
        return await fn(c);
      } finally {
        free.push(c);
      }
    },
  };
}

/** Redis straight, HSET + HGET per round trip (daprd runs an EVAL etag script, then HGETALL), one call per connection. */
/** @param {number} port @param {string} prefix @returns {Promise<Store>} */
async function redisStore(port, prefix) {
  const { createClient } = await import("redis");
  const pool = onePerCall(async () => {
    const c = createClient({ socket: { host: "127.0.0.1", port } });
    await c.connect();
    return c;
  });
  const key = (/** @type {string} */ id) => `${prefix}||${id}`;
  return {
    /** @param {Order} order */
    save: (order) => pool.use(async (c) => void (await c.hSet(key(order.orderId), "data", JSON.stringify(order)))),
    /** @param {string} id */
    get: (id) =>
      pool.use(async (c) => {
        const data = await c.hGet(key(id), "data");
        return data == null ? undefined : JSON.parse(String(data));
      }),
    close: async () => void (await Promise.all(pool.all.map((c) => c.quit()))),
  };
}

/**
 * One keep-alive HTTP/1.1 connection, written to and parsed by hand: no
 * headers object, no streams, no pooling logic. One request at a time.
 * @param {number} port
 */
function rawHttpConnection(port) {
  const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
  /** @type {{resolve: (r: {status: number, body: string}) => void, reject: (e: Error) => void} | undefined} */
  let waiting;
  let buf = "";
  socket.setEncoding("latin1");
  socket.on("data", (/** @type {string} */ chunk) => {
    buf += chunk;
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0 || !waiting) return;
    const head = buf.slice(0, end);
    const status = Number(head.slice(9, 12));
    const len = /\r\ncontent-length: *(\d+)/i.exec(head);
    let body;
    if (len) {
      if (buf.length < end + 4 + Number(len[1])) return;
      body = buf.slice(end + 4, end + 4 + Number(len[1]));
      buf = buf.slice(end + 4 + Number(len[1]));
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const stop = buf.indexOf("\r\n0\r\n\r\n", end);
      if (stop < 0) return;
      body = buf.slice(end + 4, stop).replace(/(^|\r\n)[0-9a-f]+\r\n/gi, "");
      buf = buf.slice(stop + 7);
    } else {
      body = "";
      buf = buf.slice(end + 4);
    }
    const w = waiting;
    waiting = undefined;
    w.resolve({ status, body });
  });
  const fail = (/** @type {Error} */ err) => waiting?.reject(err);
  socket.on("error", fail);
  socket.on("close", () => fail(new Error("daprd closed the connection")));
  return {
    /** @param {string} request @returns {Promise<{status: number, body: string}>} */
    send(request) {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(request, "latin1");
      });
    },
    close: () => void socket.end(),
  };
}

/** @param {Endpoint} dapr */
function ceilingStore(dapr) {
  const pool = onePerCall(async () => rawHttpConnection(dapr.httpPort));
  const base = `/v1.0/state/${dapr.storeName}`;
  const host = `Host: 127.0.0.1:${dapr.httpPort}\r\n`;
  /** @param {{status: number, body: string}} r @param {number[]} ok */
  const check = (r, ok) => {
    if (!ok.includes(r.status)) throw new Error(`daprd answered ${r.status} ${r.body}`);
    return r;
  };
  return {
    /** @param {Order} order */
    async save(order) {
      const body = `[{"key":${JSON.stringify(order.orderId)},"value":${JSON.stringify(order)}}]`;
      const req = `POST ${base} HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      check(await pool.use((c) => c.send(req)), [200, 204]);
    },
    /** @param {string} id */
    async get(id) {
      const r = check(
        await pool.use((c) => c.send(`GET ${base}/${encodeURIComponent(id)} HTTP/1.1\r\n${host}\r\n`)),
        [200, 204],
      );
      return r.status === 204 ? undefined : JSON.parse(r.body);
    },
    close: async () => pool.all.forEach((c) => c.close()),
  };
}

/**
 * Opens one of STORES; returns it with how long importing its client module and creating it took.
 * @param {string} kind
 * @param {{redisPort?: number, keyPrefix?: string}} o
 * @returns {Promise<{store: Store, importMs: number, createMs: number}>}
 */
export async function openStore(kind, o = {}) {
  const dapr = endpointFromEnv();
  const t0 = performance.now();
  /** @type {() => Store | Promise<Store>} */
  let create;
  if (kind === "sdk-http" || kind === "sdk-grpc") {
    const m = await import("@dapr-resiliency/sdk-app/order-store");
    create = () => /** @type {Store} */ (m.createSdkOrderStore(dapr, kind === "sdk-grpc" ? "grpc" : "http"));
  } else if (kind === "http") {
    const m = await import("@dapr-resiliency/http-app/order-store");
    create = () => /** @type {Store} */ (m.createHttpOrderStore(dapr));
  } else if (kind === "grpc") {
    const m = await import("@dapr-resiliency/grpc-app/order-store");
    create = () => /** @type {Store} */ (m.createGrpcOrderStore(dapr));
  } else if (kind === "redis") {
    await import("redis");
    create = () => redisStore(Number(o.redisPort), o.keyPrefix ?? "bench-redis");
  } else if (kind === "ceiling") {
    create = () => ceilingStore(dapr);
  } else if (kind === "grpc-ceiling") {
    const m = await import("./grpc-ceiling.mjs");
    create = () => m.grpcCeilingStore(dapr);
  } else throw new Error(`unknown store "${kind}"; one of ${STORES.join(", ")}`);
  const t1 = performance.now();
  const store = await create();
  return { store, importMs: t1 - t0, createMs: performance.now() - t1 };
}
