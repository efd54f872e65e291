// @ts-check
// daprd settings that may move the ceiling: each gets a daprd of its own, and
// the ceiling client measures it once (maximum throughput, then the open-loop
// rate), beside a daprd as the main run has it, measured the same way.
import { say } from "../../cli/console.mjs";
import { round3 } from "../../bench/lib/stats.mjs";
import { Driver, startDaprd } from "./host.mjs";

/** @typedef {{name: string, change: string, callsPerSec: number, daprdUsPerCall: number, redisUsPerCall: number, serverCoreUse: number, openRate: number, saveP50: number, getP50: number}} SettingResult */

/** The settings tried; `as run` is the main run's daprd. */
export const SETTINGS = [
  { name: "as run", change: "resources/ as they are; GOGC unset (100)" },
  {
    name: "poolSize 32",
    change: "statestore metadata poolSize: 32 (default 10 per GOMAXPROCS; GOMAXPROCS is 1 on a pinned core)",
    metadata: { poolSize: "32" },
  },
  {
    name: "metrics off",
    change: "Configuration spec.metric.enabled: false",
    config: (/** @type {any} */ doc) => void ((doc.spec ??= {}).metric = { enabled: false }),
  },
  {
    name: "GOGC=400",
    change: "daprd's environment GOGC=400 (fewer garbage collections, more memory)",
    daprdEnv: { GOGC: "400" },
  },
];

/**
 * @param {{redis: any, pin: import("./procs.mjs").Pinning, plan: any, resources: any, ours: Set<number>}} ctx
 * @returns {Promise<SettingResult[]>}
 */
export async function runSettings(ctx) {
  const out = [];
  const rate = Math.max(...ctx.plan.rates);
  for (const s of SETTINGS) {
    const daprd = await startDaprd({
      redis: ctx.redis,
      pin: ctx.pin,
      appId: "bench-settings",
      resources: { ...ctx.resources, metadata: s.metadata ?? {} },
      daprdEnv: s.daprdEnv,
      config: s.config,
    });
    ctx.ours.add(daprd.daprdPid);
    const d = new Driver({ store: "ceiling", pin: ctx.pin, daprd, redis: ctx.redis, keyPrefix: "settings" });
    ctx.ours.add(d.pid);
    try {
      await d.ready;
      await d.run({ op: "warm", calls: ctx.plan.warmCalls, concurrency: ctx.plan.concurrency });
      const max = await d.run({ op: "closed", ms: ctx.plan.maxMs, concurrency: ctx.plan.concurrency });
      await d.run({ op: "warm", calls: ctx.plan.rewarmCalls, concurrency: ctx.plan.concurrency });
      const open = await d.run({ op: "open", rate, calls: Math.round((rate * ctx.plan.openMs) / 1000) });
      const c = max.cost.cpuSeconds;
      out.push({
        name: s.name,
        change: s.change,
        callsPerSec: round3(max.result.callsPerSec),
        daprdUsPerCall: round3((c.daprd / max.result.calls) * 1e6),
        redisUsPerCall: round3((c.redis / max.result.calls) * 1e6),
        serverCoreUse: round3((c.daprd + c.redis) / max.cost.wallSeconds),
        openRate: rate,
        saveP50: open.result.save.p50,
        getP50: open.result.get.p50,
      });
      say(
        "compare",
        `daprd ${s.name}: ceiling ${max.result.callsPerSec.toFixed(0)} calls/s, at ${rate}/s save p50 ${open.result.save.p50} ms, get p50 ${open.result.get.p50} ms`,
      );
    } finally {
      await d.stop();
      await daprd.stop();
    }
  }
  return out;
}
