// @ts-check
// The load generator of `compare`: one long-lived process per client style,
// driven over stdin so the rows can take turns round by round. It drives the
// apps' own OrderStore code (or Redis direct, or the ceiling client), so the
// time and CPU measured are each style's real code path.
//   node tools/bench/lib/driver.mjs --store <store> [--redis-port N] [--key-prefix P] (--help lists them)
// Prints `READY {start-up timings}`, then reads one JSON command a line and answers `RESULT {json}`:
//   {"op":"warm","calls":N,"concurrency":C}     N calls, not measured (JIT, pools, daprd's first paths)
//   {"op":"closed","ms":T,"concurrency":C}      C loops of save + read-back for T ms: the maximum throughput
//   {"op":"closed",…,"profile":true}            the same under V8's CPU profiler: adds `profile`, its self time by origin
//   {"op":"open","rate":R,"calls":N}            N calls sent on a fixed schedule, R a second, save and get alternating;
//                                               latency counts from the scheduled send (no coordinated omission)
//                                               and from the actual send; the clock's own CPU is in `clockCpuMs`
//   {"op":"quit"}
import readline from "node:readline";
import { performance } from "node:perf_hooks";
import { defineCommand } from "../../cli/command.mjs";
import { runTool } from "../../cli/main.mjs";
import { summarize } from "./stats.mjs";
import { STORES, openStore } from "./stores.mjs";
import { pollCostMs, runSchedule } from "./clock.mjs";
import { profiled } from "./profile.mjs";

/** @typedef {import("./stats.mjs").Summary} Summary */
/** @typedef {{bootMs: number, importMs: number, createMs: number, firstSaveMs: number, firstGetMs: number}} Ready */
/** @typedef {{op: "closed", calls: number, seconds: number, callsPerSec: number, save: Summary, get: Summary}} ClosedResult */
/** @typedef {{op: "open", rate: number, calls: number, sent: number, dropped: number, seconds: number, achievedPerSec: number, save: Summary, get: Summary, saveService: Summary, getService: Summary, lag: Summary, clockCpuMs: number, clock: {polls: number, timers: number, pollUs: number}}} OpenResult */

const bootMs = performance.now(); // since the process began: Node's own start-up plus this module's imports
export const command = defineCommand({
  usage: "node tools/bench/lib/driver.mjs",
  about:
    "compare's load generator (demos/compare/host.mjs starts it): drives one store, reads one JSON command a line\n" +
    "on stdin (warm, closed, open, quit) and answers RESULT {json} on stdout, after READY {start-up timings}.",
  flags: {
    store: { type: "string", choices: STORES, required: true, help: "what to drive" },
    "redis-port": { type: "string", value: "<port>", help: "the Redis the redis store talks to directly" },
    "key-prefix": { type: "string", value: "<prefix>", default: "bench", help: "the state keys' prefix" },
  },
});

await runTool(import.meta.url, command, async ({ values: o }) => {
  await drive({ store: o.store, redisPort: Number(o["redis-port"]), keyPrefix: o["key-prefix"] });
});

/**
 * READY, then one RESULT per command until quit or the end of stdin.
 * @param {{ store: string, redisPort: number, keyPrefix: string }} o
 */
async function drive(o) {
  const prefix = `${o.keyPrefix}-${o.store}-${process.pid}`;
  const never = new AbortController().signal; // the apps' calls time out in the order loop, not here
  const { store, importMs, createMs } = await openStore(o.store, { redisPort: o.redisPort, keyPrefix: o.keyPrefix });

  let next = 0;
  /** Ids whose save has completed, for the reads of the open-loop runs. */
  /** @type {string[]} */
  const readable = [];
  let readAt = 0;

  /** @param {string} id */
  async function save(id) {
    await store.save({ orderId: id }, never);
    if (readable.length < 1000) readable.push(id);
    else readable[next % 1000] = id;
  }
  /** @param {string} id */
  async function get(id) {
    const got = await store.get(id, never);
    if (got?.orderId !== id) throw new Error(`read back ${JSON.stringify(got)} for order ${id}`);
  }

  const t0 = performance.now();
  await save(`${prefix}-first`);
  const t1 = performance.now();
  await get(`${prefix}-first`);
  /** @type {Ready} */
  const ready = { bootMs, importMs, createMs, firstSaveMs: t1 - t0, firstGetMs: performance.now() - t1 };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);

  /** `concurrency` loops of save + read-back until `calls` calls or `ms` elapse; per-kind latencies. */
  async function closed({ calls = Infinity, ms = Infinity, concurrency = 1 }) {
    /** @type {number[]} */ const saveMs = [];
    /** @type {number[]} */ const getMs = [];
    const start = performance.now();
    const end = start + ms;
    let started = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < calls && performance.now() < end) {
          started += 2;
          const id = `${prefix}-${next++}`;
          const a = performance.now();
          await save(id);
          const b = performance.now();
          await get(id);
          getMs.push(performance.now() - b);
          saveMs.push(b - a);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const n = saveMs.length + getMs.length;
    return { calls: n, seconds, callsPerSec: n / seconds, save: summarize(saveMs), get: summarize(getMs) };
  }

  /**
   * N calls on a fixed schedule (runSchedule: a timer, then polls to the slot), whatever the answers do. A call
   * that finds `maxOutstanding` waiting, or is due after twice the planned time (the client cannot keep up), is
   * dropped: counted, not sent. `clockCpuMs` is what the clock's polling cost, for the caller to take out.
   */
  async function open({ rate = 1000, calls = 1000, maxOutstanding = 512 }) {
    const interval = 1000 / rate;
    /** @type {Record<"save"|"get", number[]>} */ const lat = { save: [], get: [] };
    /** @type {Record<"save"|"get", number[]>} */ const svc = { save: [], get: [] };
    /** @type {number[]} */ const lag = [];
    const pollMs = await pollCostMs();
    const start = performance.now() + 2;
    const giveUp = start + 2 * calls * interval;
    let outstanding = 0;
    let dropped = 0;
    let done = 0;
    /** @type {(v?: unknown) => void} */
    let allDone = () => undefined;
    /** @type {(e: unknown) => void} */
    let failed = () => undefined;
    const finished = new Promise((resolve, reject) => ((allDone = resolve), (failed = reject)));
    const finish = () => void (++done >= calls && allDone());
    const stats = await runSchedule({
      start,
      intervalMs: interval,
      count: calls,
      fire: (i, scheduled, now) => {
        if (outstanding >= maxOutstanding || now > giveUp) {
          dropped++;
          return finish();
        }
        /** @type {"save"|"get"} */
        const kind = i % 2 === 0 || !readable.length ? "save" : "get";
        outstanding++;
        const sent = performance.now();
        lag.push(sent - scheduled);
        const call =
          kind === "save"
            ? save(`${prefix}-${next++}`)
            : get(/** @type {string} */ (readable[readAt++ % readable.length]));
        call.then(() => {
          const t = performance.now();
          lat[kind].push(t - scheduled);
          svc[kind].push(t - sent);
          outstanding--;
          finish();
        }, failed);
      },
    });
    await finished;
    const seconds = (performance.now() - start) / 1000;
    return {
      rate,
      calls,
      sent: calls - dropped,
      dropped,
      seconds,
      achievedPerSec: (calls - dropped) / seconds,
      save: summarize(lat.save),
      get: summarize(lat.get),
      saveService: summarize(svc.save),
      getService: summarize(svc.get),
      lag: summarize(lag),
      clock: { polls: stats.polls, timers: stats.timers, pollUs: pollMs * 1000 },
      clockCpuMs: stats.polls * pollMs,
    };
  }

  const commands = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of commands) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    if (cmd.op === "quit") break;
    let result;
    if (cmd.op === "warm") result = { op: "warm", ...(await closed(cmd)) };
    else if (cmd.op === "closed" && cmd.profile) result = { op: "closed", ...(await profiled(() => closed(cmd))) };
    else if (cmd.op === "closed") result = { op: "closed", ...(await closed(cmd)) };
    else if (cmd.op === "open") result = { op: "open", ...(await open(cmd)) };
    else throw new Error(`unknown command ${line}`);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  }
  await store.close();
}
