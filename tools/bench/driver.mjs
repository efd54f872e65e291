// The steady-state workload of `compare`: save an order, read it back, many
// times, sequentially and with N in flight. It drives the apps' own
// OrderStore implementations (apps/*/dist/order-store.js), so what is timed
// is each client style's real code path; `redis` is the same workload
// straight to Redis with node-redis, as the floor daprd cannot go below.
// Run as the app command under startSidecar (it reads DAPR_HTTP_PORT /
// DAPR_GRPC_PORT like the apps); prints one line `BENCH {json}` on stdout.
//   node tools/bench/driver.mjs --store sdk|http|grpc|redis [--redis-port N]
//     [--reps 5] [--seq-ops 300] [--conc-ops 60] [--concurrency 16] [--warmup-ms 1000]
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { summarize, percentile } from "./stats.mjs";

const { values: o } = parseArgs({
  options: {
    store: { type: "string" },
    "redis-port": { type: "string" },
    "key-prefix": { type: "string", default: "bench-redis" },
    reps: { type: "string", default: "5" },
    "seq-ops": { type: "string", default: "300" },
    "conc-ops": { type: "string", default: "60" },
    concurrency: { type: "string", default: "16" },
    "warmup-ms": { type: "string", default: "1000" },
  },
  strict: true,
});
const num = (k) => Number(o[k]);

async function openStore(kind) {
  const endpoint = {
    host: process.env.DAPR_HOST || "127.0.0.1",
    httpPort: Number(process.env.DAPR_HTTP_PORT),
    grpcPort: Number(process.env.DAPR_GRPC_PORT),
    apiToken: process.env.DAPR_API_TOKEN || undefined,
    storeName: "statestore",
  };
  const dist = (app) => new URL(`../../apps/${app}/dist/order-store.js`, import.meta.url).href;
  if (kind === "sdk") return (await import(dist("sdk-app"))).createSdkOrderStore(endpoint, "http");
  if (kind === "http") return (await import(dist("http-app"))).createHttpOrderStore(endpoint);
  if (kind === "grpc") return (await import(dist("grpc-app"))).createGrpcOrderStore(endpoint);
  if (kind === "redis") {
    // One HSET and one HGET per round trip: the fewest Redis commands a hash-per-key
    // store can do (daprd itself runs an EVAL script for the etag, then HGETALL).
    const { createClient } = await import("redis");
    const client = createClient({ socket: { host: "127.0.0.1", port: num("redis-port") } });
    await client.connect();
    const key = (id) => `${o["key-prefix"]}||${id}`;
    return {
      save: async (order) => void (await client.hSet(key(order.orderId), "data", JSON.stringify(order))),
      get: async (id) => {
        const data = await client.hGet(key(id), "data");
        return data == null ? undefined : JSON.parse(data);
      },
      close: () => client.quit(),
    };
  }
  throw new Error(`unknown --store ${kind}`);
}

const store = await openStore(o.store);
const never = new AbortController().signal; // the apps' calls time out in the order loop, not here
const saveMs = [];
const getMs = [];

/** One save + read-back, timed per call; a wrong read-back fails the run instead of being timed. */
async function roundTrip(id, record) {
  const order = { orderId: id };
  const t = performance.now();
  await store.save(order, never);
  const saved = performance.now();
  const got = await store.get(id, never);
  const read = performance.now();
  if (got?.orderId !== id) throw new Error(`read back ${JSON.stringify(got)} for order ${id}`);
  if (record) {
    saveMs.push(saved - t);
    getMs.push(read - saved);
  }
  return [saved - t, read - saved];
}

/** `workers` loops of `ops` round trips each; returns every call's latency and the wall time. */
async function run(label, workers, ops, record = true) {
  const calls = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < ops; i++) calls.push(...(await roundTrip(`${label}-${w}-${i}`, record)));
    }),
  );
  return { calls, ms: performance.now() - start };
}

// Warm-up: JIT, connection pools, daprd's and Redis's first-call paths; at both levels.
const warmEnd = performance.now() + num("warmup-ms");
for (let n = 0; performance.now() < warmEnd; n++) {
  await run(`warm${n}`, 1, 20, false);
  await run(`warmc${n}`, num("concurrency"), 3, false);
}

const levels = [];
for (const [concurrency, ops] of [
  [1, num("seq-ops")],
  [num("concurrency"), num("conc-ops")],
]) {
  const reps = [];
  const all = [];
  for (let r = 0; r < num("reps"); r++) {
    const { calls, ms } = await run(`c${concurrency}r${r}`, concurrency, ops);
    reps.push({
      calls: calls.length,
      seconds: ms / 1000,
      callsPerSec: calls.length / (ms / 1000),
      ...summarize(calls),
    });
    all.push(...calls);
  }
  levels.push({ concurrency, reps, pooled: summarize(all, [1, 5, 10, 25, 50, 75, 90, 95, 99]) });
}
await store.close();
const sorted = (a) => a.slice().sort((x, y) => x - y);
process.stdout.write(
  `BENCH ${JSON.stringify({
    store: o.store,
    levels,
    saveP50: percentile(sorted(saveMs), 50),
    getP50: percentile(sorted(getMs), 50),
  })}\n`,
);
process.exit(0);
