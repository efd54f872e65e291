// @ts-check
// What each write attempt looked like from Redis's side (MONITOR, for the
// faults where every write still reaches Redis and is answered with an error):
// how many attempts, how far apart, how they bunch. A burst is one key's
// writes less than BURST_S apart: the store client's own retries (go-redis:
// redisMaxRetries, backoff up to 512 ms) inside one daprd attempt.

/** Writes of one key closer than this belong to one daprd attempt (the client retries within 0.52 s). */
export const BURST_S = 1;

/**
 * @typedef {object} Attempts
 * @property {number} writes      write commands Redis received in the window (one per attempt at Redis)
 * @property {number} keys        the orders they were for
 * @property {number} bursts      runs of one key's writes less than BURST_S apart
 * @property {{ s: number, n: number }[]} gaps  the gaps between one key's writes, to 0.1 s, and how often each came
 * @property {number | null} inBurstGapS   the median gap inside a burst: the client's retry interval
 * @property {number | null} burstGapS     the median gap between bursts: daprd's retry interval
 */

const r1 = (/** @type {number} */ x) => Math.round(x * 10) / 10;
const r2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;

/** @param {number[]} xs */
function median(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const at = (/** @type {number} */ i) => /** @type {number} */ (s[i]);
  return r2(s.length % 2 ? at(m) : (at(m - 1) + at(m)) / 2);
}

/**
 * @param {{ at: number, key: string }[]} writes times in s, any origin
 * @param {number} from the window, same origin
 * @param {number} to
 * @returns {Attempts}
 */
export function readAttempts(writes, from, to) {
  const inWindow = writes.filter((w) => w.at >= from && w.at <= to);
  /** @type {Map<string, number[]>} */
  const byKey = new Map();
  for (const w of inWindow) byKey.set(w.key, [...(byKey.get(w.key) ?? []), w.at]);
  /** @type {number[]} */
  const inside = [];
  /** @type {number[]} */
  const between = [];
  let bursts = 0;
  for (const times of byKey.values()) {
    times.sort((a, b) => a - b);
    bursts++;
    for (let i = 1; i < times.length; i++) {
      const gap = /** @type {number} */ (times[i]) - /** @type {number} */ (times[i - 1]);
      if (gap < BURST_S) inside.push(gap);
      else {
        between.push(gap);
        bursts++;
      }
    }
  }
  /** @type {Map<number, number>} */
  const hist = new Map();
  for (const g of [...inside, ...between]) hist.set(r1(g), (hist.get(r1(g)) ?? 0) + 1);
  return {
    writes: inWindow.length,
    keys: byKey.size,
    bursts,
    gaps: [...hist].map(([s, n]) => ({ s, n })).sort((a, b) => a.s - b.s),
    inBurstGapS: median(inside),
    burstGapS: median(between),
  };
}
