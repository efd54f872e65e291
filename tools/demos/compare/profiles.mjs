// @ts-check
// Where each client's CPU goes: a row's profiled closed-loop run (see
// steady.mjs) per call, by origin and by function, and its tables.
import { ORIGINS } from "../../bench/lib/profile.mjs";

/** @typedef {import("../../bench/lib/profile.mjs").ProfileSummary} ProfileSummary */
/**
 * @typedef {object} RowProfile
 * @property {number} calls
 * @property {number} callsPerSec        of the profiled run (the profiler's own cost included)
 * @property {number} intervalUs         sampling interval
 * @property {Record<string, number>} origins  the main thread's CPU µs per call by origin (idle left out)
 * @property {number} idleShare          the share of the run's samples the main thread was idle
 * @property {number} mainUsPerCall      the main thread's CPU per call, /proc/<pid>/task/<pid>/stat
 * @property {number} clientUsPerCall    the driver's CPU per call from /proc (all threads)
 * @property {number} otherThreadsUsPerCall  the two's difference: libuv, V8's GC helpers, the profiler
 * @property {number} daprdUsPerCall
 * @property {number} redisUsPerCall
 * @property {{name: string, origin: string, where: string, usPerCall: number}[]} top
 */

/**
 * The samples give each origin's share of the main thread's busy time; /proc gives that thread's CPU. Their
 * product is the CPU by origin (the samples alone count wall time, which a preempted thread inflates).
 * @param {{calls: number, callsPerSec: number, profile: ProfileSummary, profileIntervalUs: number}} result
 * @param {import("./host.mjs").Cost} cost
 * @returns {RowProfile}
 */
export function rowProfile(result, cost) {
  const n = result.calls || NaN;
  const p = result.profile;
  const r1 = (/** @type {number} */ x) => Math.round(x * 10) / 10;
  const mainUs = (cost.mainThreadCpuSeconds * 1e6) / n;
  const perMs = p.busyMs > 0 ? mainUs / p.busyMs : NaN; // µs per call for each sampled busy ms
  const clientUs = (cost.cpuSeconds.client * 1e6) / n;
  return {
    calls: result.calls,
    callsPerSec: result.callsPerSec,
    intervalUs: result.profileIntervalUs,
    origins: Object.fromEntries(
      Object.entries(p.origins)
        .filter(([o]) => o !== "idle")
        .map(([o, ms]) => [o, r1(ms * perMs)]),
    ),
    idleShare: p.sampledMs > 0 ? Math.round(((p.origins.idle ?? 0) / p.sampledMs) * 1000) / 1000 : NaN,
    mainUsPerCall: r1(mainUs),
    clientUsPerCall: r1(clientUs),
    otherThreadsUsPerCall: r1(Math.max(0, clientUs - mainUs)),
    daprdUsPerCall: r1((cost.cpuSeconds.daprd * 1e6) / n),
    redisUsPerCall: r1((cost.cpuSeconds.redis * 1e6) / n),
    top: p.top.map((f) => ({ name: f.name, origin: f.origin, where: f.where, usPerCall: r1(f.ms * perMs) })),
  };
}

/** The origins that cost anything in any row, in ORIGINS order, idle last. @param {RowProfile[]} ps */
export function usedOrigins(ps) {
  return ORIGINS.filter((o) => o !== "idle" && ps.some((p) => (p.origins[o] ?? 0) >= 0.5));
}

const n1 = (/** @type {number | undefined} */ x) =>
  x === undefined || !Number.isFinite(x) ? "–" : x >= 10 ? x.toFixed(0) : x.toFixed(1);

/**
 * The overview (rows × origins, µs per call) and, per row, its top functions.
 * @param {any} result
 * @param {(header: string[], rows: string[][]) => string} mdTable
 * @param {(row: string) => string} label
 * @returns {{overview: string, perRow: {row: string, table: string}[]} | undefined}
 */
export function profileTables(result, mdTable, label) {
  const rows = Object.entries(/** @type {Record<string, {profile?: RowProfile}>} */ (result.steady.rows)).filter(
    ([, s]) => s.profile,
  );
  if (!rows.length) return undefined;
  const ps = rows.map(([, s]) => /** @type {RowProfile} */ (s.profile));
  const origins = usedOrigins(ps);
  const overview = mdTable(
    [
      "client",
      "profiled calls/s",
      ...origins,
      "main thread",
      "other threads",
      "client total",
      "daprd",
      "Redis",
      "main thread idle",
    ],
    rows.map(([r, s]) => {
      const p = /** @type {RowProfile} */ (s.profile);
      return [
        label(r),
        n1(p.callsPerSec),
        ...origins.map((o) => n1(p.origins[o])),
        n1(p.mainUsPerCall),
        n1(p.otherThreadsUsPerCall),
        n1(p.clientUsPerCall),
        n1(p.daprdUsPerCall),
        n1(p.redisUsPerCall),
        `${(p.idleShare * 100).toFixed(0)} %`,
      ];
    }),
  );
  const perRow = rows.map(([r, s]) => {
    const p = /** @type {RowProfile} */ (s.profile);
    return {
      row: r,
      table: mdTable(
        ["function (self time)", "origin", "where", "µs per call", "of the main thread"],
        p.top.map((f) => [
          `\`${f.name}\``,
          f.origin,
          f.where ? `\`${f.where}\`` : "–",
          n1(f.usPerCall),
          `${((f.usPerCall / p.mainUsPerCall) * 100).toFixed(0)} %`,
        ]),
      ),
    };
  });
  return { overview, perRow };
}
