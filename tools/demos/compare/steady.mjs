// @ts-check
// Steady state: every row's driver stays up; round after round, the rows take
// turns in a fresh random order, each doing its closed-loop maximum and its
// open-loop runs at fixed rates, with the CPU of every process measured around
// each. The summaries say, per row, what the time and the CPU went to.
import { say } from "../../cli/console.mjs";
import { spread, shuffle, round3 } from "../../bench/lib/stats.mjs";
import { Driver } from "./host.mjs";
import { rssMB } from "./procs.mjs";
import { rowProfile } from "./profiles.mjs";

/** @typedef {import("../../bench/lib/stats.mjs").Spread} Spread */
/** @typedef {import("./host.mjs").Cost} Cost */
/** @typedef {import("./host.mjs").PerProcess} PerProcess */
/** @typedef {{row: string, round: number, phase: string, result: any, cost: Cost}} Measurement */
/** @typedef {{client: Spread, daprd: Spread, redis: Spread}} PerProcessSpread */
/** @typedef {{cpuUsPerCall: PerProcessSpread, coreUse: PerProcessSpread, waitUsPerCall: PerProcessSpread, othersCores: Spread}} CpuSummary */
/** @typedef {{callsPerSec: Spread, saveP50: Spread, getP50: Spread} & CpuSummary & {bound: string, boundBy: string}} MaxSummary */
/** @typedef {{p50: Spread, p90: Spread, p99: Spread}} Lat */
/** @typedef {{rate: number, save: Lat, get: Lat, saveService: Lat, getService: Lat, lagP50: Spread, lagP90: Spread, clockCpuUsPerCall: Spread, achievedPerSec: Spread, dropped: number} & CpuSummary} OpenSummary */
/** @typedef {import("./profiles.mjs").RowProfile} RowProfile */
/** @typedef {{ready: import("./host.mjs").Ready, max: MaxSummary, open: Record<string, OpenSummary>, rssMB: Spread, profile?: RowProfile}} RowSummary */
/** @typedef {{rows: Record<string, RowSummary>, bareRssMB: Spread, daprdRssMB: Spread, measurements: Measurement[], order: string[][]}} SteadyResult */

export const ROWS = ["redis", "sdk-http", "sdk-grpc", "http", "grpc", "ceiling", "grpc-ceiling"];
export const ROW_LABELS = /** @type {Record<string, string>} */ ({
  redis: "Redis direct (node-redis, 1 call per connection)",
  "sdk-http": "sdk-app over HTTP",
  "sdk-grpc": "sdk-app over gRPC",
  http: "http-app",
  grpc: "grpc-app",
  ceiling: "ceiling (raw keep-alive HTTP/1.1)",
  "grpc-ceiling": "gRPC ceiling (node:http2 + protobuf-es)",
});
const PROCS = /** @type {(keyof PerProcess)[]} */ (["client", "daprd", "redis"]);

/**
 * @param {{redis: any, pin: import("./procs.mjs").Pinning, daprd: import("./host.mjs").Daprd, plan: any, rows: string[], ours: Set<number>}} ctx
 * @returns {Promise<SteadyResult>}
 */
export async function runSteady({ redis, pin, daprd, plan, rows, ours }) {
  /** @type {Record<string, Driver>} */
  const drivers = {};
  /** @type {Measurement[]} */
  const measurements = [];
  const bare = [];
  const daprdRss = [];
  /** @type {string[][]} */
  const order = [];
  /** @type {Record<string, RowProfile>} */
  const profiles = {};
  try {
    for (const row of rows) {
      const d = new Driver({ store: row, pin, daprd: row === "redis" ? undefined : daprd, redis });
      drivers[row] = d;
      ours.add(d.pid);
      await d.ready;
      await d.run({ op: "warm", calls: plan.warmCalls, concurrency: plan.concurrency });
    }
    const phases = [
      { phase: "max", cmd: { op: "closed", ms: plan.maxMs, concurrency: plan.concurrency } },
      ...plan.rates.map((/** @type {number} */ rate) => ({
        phase: `open${rate}`,
        cmd: { op: "open", rate, calls: Math.round((rate * plan.openMs) / 1000) },
      })),
    ];
    for (let round = 0; round < plan.rounds; round++) {
      const turn = shuffle(rows);
      order.push(turn);
      for (const row of turn) {
        for (const { phase, cmd } of phases) {
          const d = /** @type {Driver} */ (drivers[row]);
          await d.run({ op: "warm", calls: plan.rewarmCalls, concurrency: plan.concurrency });
          const { result, cost } = await d.run(cmd);
          measurements.push({ row, round, phase, result, cost });
          bare.push(rssMB(daprd.barePid));
          daprdRss.push(rssMB(daprd.daprdPid));
        }
      }
      say(
        "compare",
        `round ${round + 1}/${plan.rounds} (${turn.join(", ")}): ${roundLine(measurements.filter((m) => m.round === round))}`,
      );
    }
    // One more closed-loop maximum per row under V8's profiler, apart from the rounds: the profiler's own cost
    // stays out of the numbers above, and its calls/s beside theirs shows that cost.
    for (const row of rows) {
      const d = /** @type {Driver} */ (drivers[row]);
      await d.run({ op: "warm", calls: plan.rewarmCalls, concurrency: plan.concurrency });
      const m = await d.run({ op: "closed", ms: plan.maxMs, concurrency: plan.concurrency, profile: true });
      profiles[row] = rowProfile(m.result, m.cost);
    }
    say("compare", `profiled: ${rows.map((r) => `${r} ${profiles[r]?.callsPerSec.toFixed(0)}/s`).join(", ")}`);
  } finally {
    for (const d of Object.values(drivers)) await d.stop();
  }
  /** @type {Record<string, RowSummary>} */
  const summaries = {};
  for (const row of rows) {
    summaries[row] = summarizeRow(
      measurements.filter((m) => m.row === row),
      await /** @type {Driver} */ (drivers[row]).ready,
      pin.enabled,
    );
    if (profiles[row]) /** @type {RowSummary} */ (summaries[row]).profile = profiles[row];
  }
  return { rows: summaries, bareRssMB: spread(bare), daprdRssMB: spread(daprdRss), measurements, order };
}

/** @param {Measurement[]} ms */
function roundLine(ms) {
  return ms
    .filter((m) => m.phase === "max")
    .map((m) => `${m.row} ${m.result.callsPerSec.toFixed(0)}/s`)
    .join(", ");
}

/**
 * Per call and per core: CPU µs per call of each process, the share of a core each used, and the µs each waited for a CPU.
 * @param {Measurement[]} ms
 * @param {(m: Measurement) => number} calls
 * @returns {CpuSummary}
 */
export function cpuSummary(ms, calls) {
  /** @param {(m: Measurement, k: keyof PerProcess) => number} f */
  const per = (f) =>
    /** @type {PerProcessSpread} */ (
      Object.fromEntries(PROCS.map((k) => [k, spread(ms.map((m) => f(m, k)).filter(Number.isFinite))]))
    );
  // The open loop's clock polls on the driver's core; that CPU is the clock's, not the client's.
  const cpu = (/** @type {Measurement} */ m, /** @type {keyof PerProcess} */ k) =>
    k === "client" ? Math.max(0, m.cost.cpuSeconds.client - (m.result.clockCpuMs ?? 0) / 1000) : m.cost.cpuSeconds[k];
  return {
    cpuUsPerCall: per((m, k) => (cpu(m, k) / calls(m)) * 1e6),
    coreUse: per((m, k) => cpu(m, k) / m.cost.wallSeconds),
    waitUsPerCall: per((m, k) => (m.cost.waitSeconds[k] / calls(m)) * 1e6),
    othersCores: spread(ms.map((m) => m.cost.othersCores)),
  };
}

/**
 * What stops a row at its closed-loop maximum: the core that is (nearly) full
 * and the process using most of it; else a process that queued for its own
 * pinned core (the machine otherwise idle); else time lost waiting for a CPU to
 * other processes; else the round trip itself (16 in flight × the call's latency).
 * @param {CpuSummary} c
 * @param {boolean} pinned daprd and Redis share CPU 0, the client has CPU 1
 * @returns {{bound: string, boundBy: string}}
 */
export function bound(c, pinned) {
  const use = (/** @type {keyof PerProcess} */ k) => c.coreUse[k].median || 0;
  const pct = (/** @type {number} */ x) => `${(x * 100).toFixed(0)} %`;
  const server = use("daprd") + use("redis");
  const client = use("client");
  const serverName = use("daprd") >= use("redis") ? "daprd" : "redis";
  if (pinned && Math.max(server, client) >= 0.85) {
    if (server >= client)
      return {
        boundBy: serverName,
        bound: `CPU 0 full: daprd ${pct(use("daprd"))} + Redis ${pct(use("redis"))} of the core`,
      };
    return { boundBy: "client", bound: `CPU 1 full: the client uses ${pct(client)} of its core` };
  }
  if (!pinned && server + client >= 1.7) {
    const top = PROCS.reduce((a, k) => (use(k) > use(a) ? k : a), "client");
    return { boundBy: top, bound: `both cores full; ${top} uses most (${pct(use(top))})` };
  }
  const wait = PROCS.map((k) => ({ k, w: c.waitUsPerCall[k].median || 0, cpu: c.cpuUsPerCall[k].median || 0 })).sort(
    (a, b) => b.w - a.w,
  )[0] ?? { k: "client", w: 0, cpu: 0 };
  const others = c.othersCores.median || 0;
  // With the machine otherwise idle, a wait for a CPU is a queue on the process's own pinned
  // core: the client's own threads (JS, GC, I/O) on CPU 1, or daprd and Redis on CPU 0.
  if (pinned && wait.w > 0.25 * wait.cpu && others < 0.3) {
    const own = wait.k === "client" ? client : server;
    return {
      boundBy: wait.k,
      bound:
        wait.k === "client"
          ? `CPU 1 busy: the client uses ${pct(own)} of its core and its own threads (JS, GC, I/O) queued for it ${wait.w.toFixed(0)} µs a call`
          : `CPU 0 busy: daprd ${pct(use("daprd"))} + Redis ${pct(use("redis"))} of the core, and ${wait.k} queued for it ${wait.w.toFixed(0)} µs a call`,
    };
  }
  if (wait.w > 0.25 * wait.cpu)
    return {
      boundBy: "machine",
      bound: `no core full (client ${pct(client)}, daprd + Redis ${pct(server)}); other processes kept ${others.toFixed(1)} cores busy and ${wait.k} waited ${wait.w.toFixed(0)} µs a call for a CPU`,
    };
  return {
    boundBy: "latency",
    bound: `no core full (client ${pct(client)}, daprd + Redis ${pct(server)}): the round trip, not CPU, limits it at this concurrency`,
  };
}

/**
 * @param {Measurement[]} ms one row's measurements
 * @param {import("./host.mjs").Ready} ready
 * @param {boolean} pinned
 * @returns {RowSummary}
 */
export function summarizeRow(ms, ready, pinned) {
  const max = ms.filter((m) => m.phase === "max");
  const maxCpu = cpuSummary(max, (m) => m.result.calls);
  /** @type {Record<string, OpenSummary>} */
  const open = {};
  for (const phase of [...new Set(ms.map((m) => m.phase))].filter((p) => p.startsWith("open"))) {
    const o = ms.filter((m) => m.phase === phase);
    /** @param {string} kind @returns {Lat} */
    const lat = (kind) => ({
      p50: spread(o.map((m) => m.result[kind].p50)),
      p90: spread(o.map((m) => m.result[kind].p90)),
      p99: spread(o.map((m) => m.result[kind].p99)),
    });
    open[phase] = {
      rate: o[0]?.result.rate,
      save: lat("save"),
      get: lat("get"),
      saveService: lat("saveService"),
      getService: lat("getService"),
      lagP50: spread(o.map((m) => m.result.lag.p50)),
      lagP90: spread(o.map((m) => m.result.lag.p90)),
      clockCpuUsPerCall: spread(o.map((m) => ((m.result.clockCpuMs ?? 0) / m.result.sent) * 1000)),
      achievedPerSec: spread(o.map((m) => m.result.achievedPerSec)),
      dropped: o.reduce((a, m) => a + m.result.dropped, 0),
      ...cpuSummary(o, (m) => m.result.sent),
    };
  }
  return {
    ready: {
      ...ready,
      bootMs: round3(ready.bootMs),
      importMs: round3(ready.importMs),
      createMs: round3(ready.createMs),
      firstSaveMs: round3(ready.firstSaveMs),
      firstGetMs: round3(ready.firstGetMs),
    },
    max: {
      callsPerSec: spread(max.map((m) => m.result.callsPerSec)),
      saveP50: spread(max.map((m) => m.result.save.p50)),
      getP50: spread(max.map((m) => m.result.get.p50)),
      ...maxCpu,
      ...bound(maxCpu, pinned),
    },
    open,
    rssMB: spread(ms.map((m) => m.cost.clientRssMB)),
  };
}
