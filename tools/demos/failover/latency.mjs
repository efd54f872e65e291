// @ts-check
// What durability costs: save+get latency through daprd against the same
// Sentinel setup, in the same run, three ways side by side:
//   async   Redis's defaults (the primary acknowledges before any replica has the write)
//   safe    min-replicas-to-write 1 + appendfsync always on every node
//   strong  safe, and each save asks for consistency "strong": daprd's Redis store then sends
//           WAIT <replicas> 1000 after the write, so the save returns once a replica has it
// The settings take turns in small batches, so a change in the machine's load hits all three.
import fs from "node:fs";
import os from "node:os";
import { chalk } from "zx";
import { startSidecar } from "../../stack/sidecar.mjs";
import { writeRunResources } from "../../stack/resources.mjs";
import { heading, say, waiting, write } from "../../cli/console.mjs";
import { summarize } from "../../bench/lib/stats.mjs";
import { SentinelCluster } from "../../stack/sentinel-cluster.mjs";
import { storeMetadata } from "../../stack/sentinel-config.mjs";

/** @typedef {import("./args.mjs").FailoverOptions} FailoverOptions */
/** @typedef {{ stop: () => Promise<void>, ports: { http: number } }} Sidecar */
/** @typedef {{ p50: number, p90: number, p99: number, max: number }} Summary */

/** @param {number[]} xs @returns {Summary} */
const stats = (xs) => /** @type {Summary} */ (summarize(xs));

const SETTINGS = /** @type {const} */ ([
  { name: "async", durability: "async", strong: false },
  { name: "safe", durability: "safe", strong: false },
  { name: "strong", durability: "safe", strong: true },
]);
const BATCHES = 10;

/**
 * One save and one read-back through daprd's HTTP state API; milliseconds for each.
 * @param {number} port
 * @param {string} key
 * @param {boolean} strong
 */
async function saveAndGet(port, key, strong) {
  const base = `http://127.0.0.1:${port}/v1.0/state/statestore`;
  const value = { orderId: key };
  const t0 = performance.now();
  const res = await fetch(base, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ key, value, ...(strong ? { options: { consistency: "strong" } } : {}) }]),
  });
  if (res.status !== 204) throw new Error(`save ${key}: HTTP ${res.status} ${await res.text()}`);
  const t1 = performance.now();
  const got = await fetch(`${base}/${key}`);
  const body = /** @type {{ orderId?: string } | null} */ (await got.json());
  if (body?.orderId !== key) throw new Error(`get ${key}: ${JSON.stringify(body)}`);
  const t2 = performance.now();
  return { save: t1 - t0, pair: t2 - t0 };
}

/**
 * `failover --latency`: returns the exit code.
 * @param {FailoverOptions} opts
 */
export async function runLatency(opts) {
  heading(`Save+get latency through daprd: async vs safe vs strong (${opts.ops} calls each)`);
  /** @type {{ cluster: SentinelCluster, sidecar: Sidecar, dir: string }[]} */
  const stacks = [];
  const loadBefore = os.loadavg();
  try {
    // Two clusters (async, safe); "strong" is the safe cluster with another request option.
    for (const durability of /** @type {const} */ (["async", "safe"])) {
      const cluster = new SentinelCluster({ durability, replicas: opts.replicas });
      await waiting(`starting the ${durability} cluster`, cluster.start());
      const dir = writeRunResources({ metadata: storeMetadata(cluster.sentinels.map((s) => s.port)) });
      const options = {
        command: [process.execPath, "-e", "setInterval(() => {}, 1 << 30)"], // daprd needs an app; this one idles
        resourcesDir: dir,
        appId: `latency-${durability}`,
      };
      const sidecar = /** @type {Sidecar} */ (
        /** @type {unknown} */ (
          await startSidecar(/** @type {Parameters<typeof startSidecar>[0]} */ (/** @type {unknown} */ (options)))
        )
      );
      stacks.push({ cluster, sidecar, dir });
      say("failover", `${durability}: daprd on ${sidecar.ports.http}, primary ${cluster.primaryPort}`);
    }
    const ports = stacks.map((s) => s.sidecar.ports.http);
    const portOf = (/** @type {string} */ d) => /** @type {number} */ (ports[d === "async" ? 0 : 1]);
    /** @type {Record<string, { save: number[], pair: number[] }>} */
    const samples = Object.fromEntries(SETTINGS.map((s) => [s.name, { save: [], pair: [] }]));
    for (const s of SETTINGS) await saveAndGet(portOf(s.durability), `warmup-${s.name}`, s.strong); // connections, scripts
    const perBatch = Math.ceil(opts.ops / BATCHES);
    await waiting(
      "measuring",
      (async () => {
        for (let b = 0; b < BATCHES; b++) {
          const order = b % 2 ? [...SETTINGS].reverse() : SETTINGS;
          for (const s of order) {
            for (let i = 0; i < perBatch; i++) {
              const r = await saveAndGet(portOf(s.durability), `bench-${s.name}-${b}-${i}`, s.strong);
              samples[s.name]?.save.push(r.save);
              samples[s.name]?.pair.push(r.pair);
            }
          }
        }
      })(),
    );
    const loadAfter = os.loadavg();
    const result = {
      ops: perBatch * BATCHES,
      cpus: os.cpus().length,
      loadavg: {
        before: loadBefore.map((x) => Math.round(x * 100) / 100),
        after: loadAfter.map((x) => Math.round(x * 100) / 100),
      },
      settings: SETTINGS.map((s) => ({
        name: s.name,
        save: stats(samples[s.name]?.save ?? []),
        pair: stats(samples[s.name]?.pair ?? []),
      })),
    };
    write(
      `\n  ${result.ops} save+get pairs per setting, in ${BATCHES} alternating batches; ${result.cpus} CPUs, load average ${result.loadavg.before[0]} before, ${result.loadavg.after[0]} after\n\n`,
    );
    write(
      `  ${"setting".padEnd(8)} ${"save+get p50".padStart(13)} ${"p90".padStart(8)} ${"p99".padStart(8)}   ${"save p50".padStart(9)} ${"p90".padStart(8)} ${"p99".padStart(8)}\n`,
    );
    for (const s of result.settings) {
      const f = (/** @type {number | undefined} */ x) => `${(x ?? NaN).toFixed(2)} ms`;
      write(
        `  ${chalk.bold(s.name.padEnd(8))} ${f(s.pair.p50).padStart(13)} ${f(s.pair.p90).padStart(8)} ${f(s.pair.p99).padStart(8)}   ${f(s.save.p50).padStart(9)} ${f(s.save.p90).padStart(8)} ${f(s.save.p99).padStart(8)}\n`,
      );
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    for (const s of stacks.reverse()) {
      await s.sidecar.stop();
      await s.cluster.stop();
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  }
}
