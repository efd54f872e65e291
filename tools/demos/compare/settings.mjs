// @ts-check
// daprd settings that may change what a call costs: each gets a daprd of its
// own (all up at once), driven by the HTTP ceiling client and by http-app's
// store; round after round, in a fresh random order, each pair does a
// closed-loop maximum and an open-loop run at the top rate. A setting is
// judged against the default daprd (resources/ as they are) of the same
// rounds: per round (paired), and by whether its range clears the default's.
import { say } from "../../cli/console.mjs";
import { round3, shuffle, spread } from "../../bench/lib/stats.mjs";
import { Driver, startDaprd } from "./host.mjs";
import { rssMB } from "./procs.mjs";

/** @typedef {import("../../bench/lib/stats.mjs").Spread} Spread */
/** @typedef {{callsPerSec: number, daprdUs: number, redisUs: number, serverCoreUse: number, saveP50: number, getP50: number}} SettingRound */
/**
 * @typedef {object} SettingClient
 * @property {Spread} callsPerSec
 * @property {Spread} daprdUsPerCall
 * @property {Spread} redisUsPerCall
 * @property {Spread} serverCoreUse
 * @property {Spread} saveP50   from the send, at the top rate
 * @property {Spread} getP50
 * @property {SettingRound[]} rounds
 * @property {{roundsFaster: number, roundsCheaper: number, rounds: number, callsPerSecChange: number, daprdUsChange: number, beyondSpread: boolean} | undefined} vsDefault
 */
/** @typedef {{name: string, change: string, caveat?: string, daprdRssMB: number, clients: Record<string, SettingClient>}} SettingResult */

/** The settings tried; `default` is resources/ as they are. */
export const SETTINGS = [
  { name: "default", change: "resources/ as they are; GOGC unset (100)" },
  {
    name: "poolSize 32",
    change:
      "statestore metadata poolSize: 32 (go-redis's default is 10 per GOMAXPROCS; a daprd pinned to one core has GOMAXPROCS 1)",
    metadata: { poolSize: "32" },
  },
  {
    name: "minIdleConns 16",
    change: "statestore metadata minIdleConns: 16 (default 0: connections are opened as calls need them)",
    metadata: { minIdleConns: "16" },
  },
  {
    name: "redisMaxRetries -1",
    change:
      "statestore metadata redisMaxRetries: -1 (go-redis's own retries off; default 3; daprd's policy still retries)",
    metadata: { redisMaxRetries: "-1" },
  },
  {
    name: "metrics off",
    change: "Configuration spec.metric.enabled: false",
    caveat: "blinds the walkthrough's breaker check and every dashboard: daprd's /metrics is gone",
    config: (/** @type {any} */ doc) => void ((doc.spec ??= {}).metric = { enabled: false }),
  },
  {
    name: "GOGC=400",
    change: "daprd's environment GOGC=400 (fewer garbage collections, more memory)",
    caveat: "more daprd memory (see its RSS)",
    daprdEnv: { GOGC: "400" },
  },
];
export const SETTING_CLIENTS = ["ceiling", "http"];

/**
 * How a setting's rounds compare with the default's: paired round by round (the rounds interleave, so a
 * round's noise hits both), and whether its whole range clears the default's (calls/s).
 * @param {SettingRound[]} mine
 * @param {SettingRound[]} base
 */
export function versus(mine, base) {
  const n = Math.min(mine.length, base.length);
  let faster = 0;
  let cheaper = 0;
  for (let i = 0; i < n; i++) {
    const a = /** @type {SettingRound} */ (mine[i]);
    const b = /** @type {SettingRound} */ (base[i]);
    if (a.callsPerSec > b.callsPerSec) faster++;
    if (a.daprdUs + a.redisUs < b.daprdUs + b.redisUs) cheaper++;
  }
  const med = (/** @type {SettingRound[]} */ rs, /** @type {(r: SettingRound) => number} */ f) =>
    spread(rs.map(f)).median;
  const m = spread(mine.map((r) => r.callsPerSec));
  const b = spread(base.map((r) => r.callsPerSec));
  return {
    rounds: n,
    roundsFaster: faster,
    roundsCheaper: cheaper,
    callsPerSecChange: round3(med(mine, (r) => r.callsPerSec) / med(base, (r) => r.callsPerSec) - 1),
    daprdUsChange: round3(med(mine, (r) => r.daprdUs) / med(base, (r) => r.daprdUs) - 1),
    beyondSpread: n > 1 && (m.min > b.max || m.max < b.min),
  };
}

/**
 * One client's rounds on one setting: their spreads, and how they compare with the default's (`base`).
 * @param {SettingRound[]} rs
 * @param {SettingRound[] | undefined} base
 * @returns {SettingClient}
 */
export function settingClient(rs, base) {
  const sp = (/** @type {(r: SettingRound) => number} */ f) => spread(rs.map(f));
  return {
    callsPerSec: sp((r) => r.callsPerSec),
    daprdUsPerCall: sp((r) => r.daprdUs),
    redisUsPerCall: sp((r) => r.redisUs),
    serverCoreUse: sp((r) => r.serverCoreUse),
    saveP50: sp((r) => r.saveP50),
    getP50: sp((r) => r.getP50),
    rounds: rs,
    vsDefault: base ? versus(rs, base) : undefined,
  };
}

/**
 * @param {{redis: any, pin: import("./procs.mjs").Pinning, plan: any, resources: any, ours: Set<number>}} ctx
 * @returns {Promise<SettingResult[]>}
 */
export async function runSettings(ctx) {
  const { plan } = ctx;
  const rate = Math.max(...plan.rates);
  /** @type {{setting: (typeof SETTINGS)[number], daprd: import("./host.mjs").Daprd, drivers: Record<string, Driver>}[]} */
  const up = [];
  /** @type {Record<string, SettingRound[]>} */
  const rounds = {};
  try {
    for (const s of SETTINGS) {
      const daprd = await startDaprd({
        redis: ctx.redis,
        pin: ctx.pin,
        appId: "bench-settings",
        resources: { ...ctx.resources, metadata: s.metadata ?? {} },
        daprdEnv: s.daprdEnv,
        config: s.config,
      });
      ctx.ours.add(daprd.daprdPid).add(daprd.barePid);
      /** @type {Record<string, Driver>} */
      const drivers = {};
      up.push({ setting: s, daprd, drivers });
      for (const c of SETTING_CLIENTS) {
        const d = new Driver({ store: c, pin: ctx.pin, daprd, redis: ctx.redis, keyPrefix: "settings" });
        drivers[c] = d;
        ctx.ours.add(d.pid);
        await d.ready;
        await d.run({ op: "warm", calls: plan.warmCalls, concurrency: plan.concurrency });
        rounds[`${s.name}|${c}`] = [];
      }
    }
    const pairs = up.flatMap((u) => SETTING_CLIENTS.map((c) => ({ u, c })));
    for (let round = 0; round < plan.settingsRounds; round++) {
      for (const { u, c } of shuffle(pairs)) {
        const d = /** @type {Driver} */ (u.drivers[c]);
        await d.run({ op: "warm", calls: plan.rewarmCalls, concurrency: plan.concurrency });
        const max = await d.run({ op: "closed", ms: plan.settingsMaxMs, concurrency: plan.concurrency });
        const open = await d.run({ op: "open", rate, calls: Math.round((rate * plan.settingsOpenMs) / 1000) });
        const cs = max.cost.cpuSeconds;
        rounds[`${u.setting.name}|${c}`]?.push({
          callsPerSec: round3(max.result.callsPerSec),
          daprdUs: round3((cs.daprd / max.result.calls) * 1e6),
          redisUs: round3((cs.redis / max.result.calls) * 1e6),
          serverCoreUse: round3((cs.daprd + cs.redis) / max.cost.wallSeconds),
          saveP50: open.result.saveService.p50,
          getP50: open.result.getService.p50,
        });
      }
      say(
        "compare",
        `settings round ${round + 1}/${plan.settingsRounds}: ${up.map((u) => `${u.setting.name} ${rounds[`${u.setting.name}|ceiling`]?.at(-1)?.callsPerSec.toFixed(0)}/s`).join(", ")} (ceiling)`,
      );
    }
    return up.map(({ setting, daprd }) => ({
      name: setting.name,
      change: setting.change,
      caveat: setting.caveat,
      daprdRssMB: rssMB(daprd.daprdPid),
      clients: Object.fromEntries(
        SETTING_CLIENTS.map((c) => [
          c,
          settingClient(
            rounds[`${setting.name}|${c}`] ?? [],
            setting.name === "default" ? undefined : (rounds[`default|${c}`] ?? []),
          ),
        ]),
      ),
    }));
  } finally {
    for (const u of up) {
      for (const d of Object.values(u.drivers)) await d.stop();
      await u.daprd.stop();
    }
  }
}

/**
 * What the settings say: those that won beyond the spread on every client, and what each costs.
 * @param {SettingResult[]} settings
 * @returns {string[]}
 */
export function settingsReading(settings) {
  const out = [];
  for (const s of settings.filter((x) => x.name !== "default")) {
    const vs = Object.entries(s.clients).map(([c, x]) => ({ c, v: x.vsDefault }));
    const words = vs
      .map(
        ({ c, v }) =>
          `${c === "http" ? "http-app" : "the HTTP ceiling"} ${v ? `${v.callsPerSecChange >= 0 ? "+" : ""}${(v.callsPerSecChange * 100).toFixed(0)} % calls/s (faster in ${v.roundsFaster} of ${v.rounds} rounds${v.beyondSpread ? ", beyond the spread" : ""})` : "–"}`,
      )
      .join(", ");
    const wins = vs.every(({ v }) => v?.beyondSpread && v.callsPerSecChange > 0);
    out.push(
      `**${s.name}**: ${words}. ${wins ? (s.caveat ? `Wins, but ${s.caveat}: not recommended as a default.` : "Wins beyond the spread on both clients.") : "No win beyond the spread: leave it."}`,
    );
  }
  return out;
}
