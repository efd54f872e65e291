// @ts-check
// The soak's seeded schedule of faults. Faults come in lanes: those that act on
// the same thing (the Redis process, the proxy between daprd and Redis, a
// daprd) never overlap inside their lane, while the lanes run independently,
// so a fault of one lane lands at any moment of another's. The same seed and
// the same options give the same schedule, fault for fault.

/**
 * The faults of each lane. Process faults are this folder's; the network ones
 * are the lab's catalogue (stack/faults.mjs), applied on the proxy.
 */
export const LANES = /** @type {const} */ ({
  redis: ["redis-sigterm", "redis-sigkill", "redis-sigstop"],
  network: ["refuse", "hang", "slow", "reset", "flaky", "cut"],
  daprd: ["daprd-kill"],
});
/** Only with --redis sentinel: the primary is made to fail over (SENTINEL FAILOVER). */
export const SENTINEL_KINDS = /** @type {const} */ (["failover"]);
/**
 * With --redis sentinel --partition: the primary cut off from the Sentinels and the replica while daprd still
 * reaches it (stack/partition.mjs), the only fault, so each loss belongs to one partition.
 */
export const PARTITION_KINDS = /** @type {const} */ (["partition"]);

/** @typedef {keyof typeof LANES} Lane */
/**
 * One planned fault.
 * @typedef {object} PlannedFault
 * @property {number} n          1, 2, … in start order: how the report and the messages name it
 * @property {Lane} lane
 * @property {string} kind
 * @property {number} atS        seconds after the soak's start
 * @property {number} forS       how long it lasts (process faults: how long Redis or daprd stays down)
 * @property {string} [target]   daprd-kill: which app's daprd
 */
/**
 * @typedef {object} Schedule
 * @property {number} seed
 * @property {number} durationS
 * @property {PlannedFault[]} faults
 */

/** Mean length of one fault plus the gap after it, in a long run. */
const CYCLE_S = 75;
const MAX_FAULT_S = 60;
const MIN_FAULT_S = 1;

/**
 * mulberry32: a small 32-bit seeded generator, enough to spread faults (not for anything secret).
 * @param {number} seed an unsigned 32-bit integer
 * @returns {() => number} uniform in [0, 1)
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @template T @param {() => number} rnd @param {readonly T[]} xs @returns {T[]} */
function shuffle(rnd, xs) {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [/** @type {T} */ (out[j]), /** @type {T} */ (out[i])];
  }
  return out;
}

/** FNV-1a of a short name. @param {string} s */
function nameHash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const tenth = (/** @type {number} */ x) => Math.round(x * 10) / 10;

/**
 * Where faults may go: after a warm-up (the apps are saving), and ending
 * early enough that the last recovery is seen before the run's end.
 * @param {number} durationS
 */
export function faultWindow(durationS) {
  const warmupS = Math.min(30, Math.max(10, durationS * 0.1));
  const tailS = Math.min(60, Math.max(15, durationS * 0.1));
  return { fromS: warmupS, toS: durationS - tailS };
}

/**
 * The schedule for a run.
 * @param {object} o
 * @param {number} o.seed
 * @param {number} o.durationS
 * @param {Partial<Record<Lane, readonly string[]>>} [o.lanes] the kinds each lane draws from (default LANES)
 * @param {string[]} [o.targets] app ids a daprd-kill may pick
 * @returns {Schedule}
 */
export function makeSchedule({ seed, durationS, lanes = LANES, targets = [] }) {
  const { fromS, toS } = faultWindow(durationS);
  const span = toS - fromS;
  /** @type {Omit<PlannedFault, "n">[]} */
  const faults = [];
  const laneNames = /** @type {Lane[]} */ (Object.keys(lanes));
  for (const lane of laneNames) {
    const kinds = lanes[lane] ?? [];
    if (kinds.length === 0) continue;
    // One stream per lane (the seed and the lane's name), so a lane's faults do not depend on which other lanes are on.
    const rnd = prng((seed ^ Math.imul(nameHash(lane), 0x9e3779b1)) >>> 0);
    const n = Math.max(kinds.length, Math.round(span / CYCLE_S));
    // Every kind once, the rest drawn at random, then the order mixed: each kind occurs, anywhere in the run.
    const picks = shuffle(rnd, [
      ...kinds,
      ...Array.from({ length: n - kinds.length }, () => kinds[Math.floor(rnd() * kinds.length)] ?? ""),
    ]);
    const slot = span / n;
    const longest = Math.max(MIN_FAULT_S, Math.min(MAX_FAULT_S, slot * 0.6));
    picks.forEach((kind, k) => {
      const forS = tenth(MIN_FAULT_S + rnd() * (longest - MIN_FAULT_S));
      const room = Math.max(0, slot - forS - Math.min(5, slot * 0.1)); // a gap before the lane's next fault
      const atS = tenth(fromS + k * slot + rnd() * room);
      const target = lane === "daprd" && targets.length ? targets[Math.floor(rnd() * targets.length)] : undefined;
      faults.push({ lane, kind, atS, forS, ...(target ? { target } : {}) });
    });
  }
  faults.sort((a, b) => a.atS - b.atS || a.lane.localeCompare(b.lane));
  return { seed, durationS, faults: faults.map((f, i) => ({ n: i + 1, ...f })) };
}

/** @param {Pick<PlannedFault, "n" | "kind" | "target">} f  e.g. "#7 redis-sigkill", "#3 daprd-kill(soak-http)" */
export const faultName = (f) => `#${f.n} ${f.kind}${f.target ? `(${f.target})` : ""}`;

/**
 * The schedule as text, one fault a line, for the start of a run and the report.
 * @param {Schedule} s
 */
export function scheduleText(s) {
  return s.faults
    .map(
      (f) =>
        `${String(f.n).padStart(4)}  ${f.atS.toFixed(1).padStart(7)} s  +${f.forS.toFixed(1).padStart(5)} s  ${f.lane.padEnd(8)} ${f.kind}${f.target ? ` ${f.target}` : ""}`,
    )
    .join("\n");
}

/** A seed for a run that was given none: printed, so the run can be replayed. */
export const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

/**
 * "90", "90s", "15m", "1h", "1h30m" -> seconds; undefined when it is not a duration.
 * @param {string} text
 */
export function parseDuration(text) {
  const m = /^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$/.exec(text);
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
