// Pure number helpers shared by the bench driver and `compare`.

/** The p-th percentile of an ascending array, interpolating between the two nearest ranks. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** {p50: …, p90: …, p99: …, max} of latencies in any order; rounded to µs, which is all a timer here resolves. */
export function summarize(values, ps = [50, 90, 99]) {
  const sorted = Float64Array.from(values).sort();
  const out = {};
  for (const p of ps) out[`p${p}`] = round3(percentile(sorted, p));
  out.max = round3(sorted.at(-1) ?? NaN);
  return out;
}

/** The median of a few repetitions and their range: the run-to-run spread, not the call-to-call one. */
export function spread(values) {
  const sorted = Float64Array.from(values).sort();
  return { median: round3(percentile(sorted, 50)), min: round3(sorted[0] ?? NaN), max: round3(sorted.at(-1) ?? NaN) };
}

export const round3 = (x) => Math.round(x * 1000) / 1000;
