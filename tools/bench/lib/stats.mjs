// @ts-check
// Pure number helpers shared by the bench driver and `compare`.

/** @typedef {{p50: number, p90: number, p99: number, max: number, n: number, [p: string]: number}} Summary */
/** @typedef {{median: number, min: number, max: number, q1: number, q3: number}} Spread */

/**
 * The p-th percentile of an ascending array, interpolating between the two nearest ranks.
 * @param {ArrayLike<number>} sorted
 * @param {number} p
 */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] ?? NaN;
  const b = sorted[hi] ?? NaN;
  return a + (b - a) * (rank - lo);
}

/**
 * {p50, p90, p99, max, n} of values in any order; rounded to µs, which is all a timer here resolves.
 * @param {ArrayLike<number>} values
 * @param {number[]} [ps]
 * @returns {Summary}
 */
export function summarize(values, ps = [50, 90, 99]) {
  const sorted = Float64Array.from(values).sort();
  /** @type {Summary} */
  const out = { p50: NaN, p90: NaN, p99: NaN, max: NaN, n: sorted.length };
  for (const p of ps) out[`p${p}`] = round3(percentile(sorted, p));
  out.max = round3(sorted.at(-1) ?? NaN);
  return out;
}

/**
 * The median of the repetitions, their range and interquartile range: the run-to-run spread, not the call-to-call one.
 * @param {ArrayLike<number>} values
 * @returns {Spread}
 */
export function spread(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    median: round3(percentile(sorted, 50)),
    min: round3(sorted[0] ?? NaN),
    max: round3(sorted.at(-1) ?? NaN),
    q1: round3(percentile(sorted, 25)),
    q3: round3(percentile(sorted, 75)),
  };
}

/** A copy in random order (Fisher–Yates); `random` is injectable for tests. @template T @param {T[]} items */
export function shuffle(items, random = Math.random) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = /** @type {T} */ (out[i]);
    out[i] = /** @type {T} */ (out[j]);
    out[j] = t;
  }
  return out;
}

/** @param {number} x */
export const round3 = (x) => Math.round(x * 1000) / 1000;
