// @ts-check
// One client of tools/bench/clients.mjs in a process of its own, so that its
// CPU time, its memory and the modules it loads are its alone. Started with
// fork(); reads daprd's ports from DAPR_HOST / DAPR_HTTP_PORT / DAPR_GRPC_PORT
// like the apps. Protocol over IPC:
//   -> {type: "ready", start}                after the warm-up
//   <- {type: "round", round, pairs}  -> {type: "round", cpuUserUs, cpuSystemUs, wallMs}
//   <- {type: "profile", pairs}       -> {type: "profile", profile}  the same under V8's CPU profiler
//   <- {type: "stop"}                        closes the client and exits
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { profiled } from "./profile.mjs";

/** @typedef {import("@dapr-resiliency/order-model").OrderStore} OrderStore */
/** @typedef {import("@dapr-resiliency/order-model").DaprEndpoint} DaprEndpoint */
/**
 * What it cost to get this client going, measured in its fresh process.
 * @typedef {object} StartCost
 * @property {number} importMs import of the client's module and creation of the store
 * @property {number} firstPairMs the first save + get (connection set-up, lazy loading)
 * @property {number} rssMB resident memory after the warm-up
 * @property {number} cjsModules CommonJS files loaded (require.cache), after the warm-up
 * @property {number} builtins Node built-in modules loaded, after the warm-up
 */

/** grpc-app's store with other channel options: what each documented option does to the CPU of a call. */
export const GRPC_VARIANTS =
  /** @type {Record<string, {what: string, options: import("@grpc/grpc-js").ChannelOptions}>} */ ({
    "grpc-js:no-channelz": {
      what: "grpc.enable_channelz 0 (no channelz counters)",
      options: { "grpc.enable_channelz": 0 },
    },
    "grpc-js:no-retries": {
      what: "grpc.enable_retries 0 (no transparent retry of a call that never reached daprd)",
      options: { "grpc.enable_retries": 0 },
    },
    "grpc-js:no-size-limits": {
      what: "max send/receive message length -1 (no 4 MB check)",
      options: { "grpc.max_send_message_length": -1, "grpc.max_receive_message_length": -1 },
    },
    "grpc-js:keepalive": {
      what: "keepalive pings every 10 s, also without calls",
      options: {
        "grpc.keepalive_time_ms": 10_000,
        "grpc.keepalive_timeout_ms": 5_000,
        "grpc.keepalive_permit_without_calls": 1,
      },
    },
  });

/** The clients, each created the way its app (or the alternative) creates it. */
export const CLIENTS = /** @type {const} */ ({
  fetch: "plain HTTP, Node's fetch (undici in Node)",
  "node:http": "plain HTTP, node:http keep-alive Agent (http-app)",
  "sdk-http": "@dapr/dapr DaprClient over HTTP (node-fetch + keep-alive Agent; sdk-app)",
  "sdk-grpc": "@dapr/dapr DaprClient over gRPC (sdk-app, DAPR_PROTOCOL=grpc)",
  connect: "plain gRPC, Connect's gRPC transport + protobuf-es",
  "grpc-js": "plain gRPC, @grpc/grpc-js + protobuf-es (grpc-app, grpc-js's default channel options)",
  ...Object.fromEntries(Object.entries(GRPC_VARIANTS).map(([k, v]) => [k, `grpc-app's store, ${v.what}`])),
});
/** @typedef {keyof typeof CLIENTS} ClientName */

/**
 * @param {ClientName} name
 * @param {DaprEndpoint} dapr
 * @returns {Promise<OrderStore>}
 */
async function createStore(name, dapr) {
  switch (name) {
    case "fetch":
      return (await import("./alt-clients.mjs")).createFetchOrderStore(dapr);
    case "connect":
      return (await import("./alt-clients.mjs")).createConnectOrderStore(dapr);
    case "node:http":
      return (await import("@dapr-resiliency/http-app/order-store")).createHttpOrderStore(dapr);
    case "grpc-js":
      return (await import("@dapr-resiliency/grpc-app/order-store")).createGrpcOrderStore(dapr);
    default:
      if (name in GRPC_VARIANTS)
        return (await import("@dapr-resiliency/grpc-app/order-store")).createGrpcOrderStore(
          dapr,
          GRPC_VARIANTS[name]?.options,
        );
      throw new Error(`unknown client ${name}`);
    case "sdk-http":
    case "sdk-grpc":
      return (await import("@dapr-resiliency/sdk-app/order-store")).createSdkOrderStore(
        dapr,
        name === "sdk-http" ? "http" : "grpc",
      );
  }
}

/** Node's built-in modules loaded so far (an undocumented but long-standing list). */
const builtinsLoaded = () =>
  /** @type {string[]} */ (Reflect.get(process, "moduleLoadList")).filter((m) => m.startsWith("NativeModule "));

async function worker() {
  const name = /** @type {ClientName} */ (process.argv[2]);
  const warmupPairs = Number(process.argv[3]);
  const send = (/** @type {object} */ msg) => /** @type {NonNullable<typeof process.send>} */ (process.send)(msg);
  const builtinsBefore = new Set(builtinsLoaded());
  const t0 = performance.now();
  const store = await createStore(name, {
    host: process.env.DAPR_HOST || "127.0.0.1",
    httpPort: Number(process.env.DAPR_HTTP_PORT),
    grpcPort: Number(process.env.DAPR_GRPC_PORT),
    apiToken: process.env.DAPR_API_TOKEN || undefined,
    storeName: "statestore",
  });
  const importMs = performance.now() - t0;
  const never = new AbortController().signal;

  /** Save then read back `pairs` orders; a wrong read-back fails the run rather than being timed. */
  async function pairs(/** @type {string} */ prefix, /** @type {number} */ count) {
    for (let i = 0; i < count; i++) {
      const order = { orderId: `${prefix}-${i}` };
      await store.save(order, never);
      const got = /** @type {{orderId?: string} | undefined} */ (await store.get(order.orderId, never));
      if (got?.orderId !== order.orderId)
        throw new Error(`${name}: read back ${JSON.stringify(got)} for ${order.orderId}`);
    }
  }

  const t1 = performance.now();
  await pairs(`${name}-first`, 1);
  const firstPairMs = performance.now() - t1;
  await pairs(`${name}-warm`, warmupPairs); // JIT, pools, daprd's first-call paths
  /** @type {StartCost} */
  const start = {
    importMs,
    firstPairMs,
    rssMB: process.memoryUsage().rss / 2 ** 20,
    cjsModules: Object.keys(createRequire(import.meta.url).cache).length,
    builtins: builtinsLoaded().filter((m) => !builtinsBefore.has(m)).length,
  };
  send({ type: "ready", start });

  process.on("message", async (/** @type {{type: string, round?: number, pairs?: number}} */ msg) => {
    if (msg.type === "profile") {
      // One more round under V8's profiler: where the CPU goes, by origin and by file.
      try {
        const { profile } = await profiled(async () => (await pairs(`${name}-p`, msg.pairs ?? 0), {}));
        send({ type: "profile", profile });
      } catch (err) {
        send({ type: "error", message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    try {
      if (msg.type === "stop") {
        await store.close();
        process.exit(0);
      }
      const cpu = process.cpuUsage();
      const w = performance.now();
      await pairs(`${name}-r${msg.round}`, msg.pairs ?? 0);
      const wallMs = performance.now() - w;
      const used = process.cpuUsage(cpu);
      send({ type: "round", cpuUserUs: used.user, cpuSystemUs: used.system, wallMs });
    } catch (err) {
      send({ type: "error", message: err instanceof Error ? err.message : String(err) });
    }
  });
}

// Imported by clients.mjs for CLIENTS; a worker when run itself (forked).
if (process.send && import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  worker().catch((err) => {
    process.send?.({ type: "error", message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
}
