// @ts-check
// Where a driver's CPU goes: V8's sampling CPU profiler (the inspector's
// Profiler domain, the same data `node --cpu-prof` writes) around one
// measurement, reduced to self time by origin (which library, Node's own
// modules, our code, GC, idle) and the functions that cost most.

/** @typedef {{functionName: string, url: string, lineNumber: number, columnNumber: number}} CallFrame */
/** @typedef {{id: number, callFrame: CallFrame, children?: number[]}} ProfileNode */
/** @typedef {{nodes: ProfileNode[], startTime: number, endTime: number, samples?: number[], timeDeltas?: number[]}} CpuProfile */
/** @typedef {{name: string, origin: string, where: string, ms: number}} TopFunction */
/**
 * @typedef {object} ProfileSummary
 * @property {number} wallMs            the profile's span
 * @property {number} sampledMs         time covered by samples (≈ wallMs)
 * @property {number} busyMs            sampledMs without idle: the main thread's CPU
 * @property {Record<string, number>} origins  self ms per origin, idle included
 * @property {TopFunction[]} top        the costliest functions by self time, idle left out
 * @property {Record<string, number>} files  self ms by file (package-relative), the costliest, idle left out
 * @property {number} samples
 */

/** The origins, in the order the report lists them. */
export const ORIGINS = [
  "grpc-js",
  "connect-es",
  "protobuf-es",
  "@dapr/dapr",
  "node-fetch",
  "node-redis",
  "other packages",
  "Node http/http2",
  "Node net/streams",
  "Node other",
  "our code",
  "V8 builtins & native",
  "GC",
  "idle",
];

/** By the package a file is in (after its last node_modules/: @dapr/dapr's own node-fetch is node-fetch's). */
const PACKAGES = /** @type {[RegExp, string][]} */ ([
  [/^@grpc\/grpc-js\//, "grpc-js"],
  [/^@bufbuild\/protobuf\//, "protobuf-es"],
  [/^@connectrpc\//, "connect-es"],
  [/^@dapr\/dapr\//, "@dapr/dapr"],
  [/^node-fetch\//, "node-fetch"],
  [/^(@redis\/|redis\/)/, "node-redis"],
  [/./, "other packages"],
]);

/**
 * Which origin a call frame's self time belongs to.
 * @param {CallFrame} f
 * @returns {string}
 */
export function originOf(f) {
  const { url, functionName: name } = f;
  if (!url) {
    if (name === "(garbage collector)") return "GC";
    if (name === "(idle)") return "idle";
    return "V8 builtins & native"; // (program), JSON.parse, Promise internals, native bindings
  }
  const inPackage = url.lastIndexOf("/node_modules/");
  if (inPackage >= 0) {
    const rest = url.slice(inPackage + "/node_modules/".length);
    for (const [re, origin] of PACKAGES) if (re.test(rest)) return origin;
  }
  if (/^node:(internal\/)?(http2|_http|http|https)(\/|_|$)/.test(url) || url.startsWith("node:internal/http"))
    return "Node http/http2";
  if (/^node:(internal\/)?(net|stream|streams|stream_base_commons|dgram|socket)/.test(url)) return "Node net/streams";
  if (url.startsWith("node:")) return "Node other";
  return "our code";
}

/** A short place for a frame: package-relative or repo-relative path and line. @param {CallFrame} f */
function where(f) {
  if (!f.url) return "";
  const path = f.url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\//, "")
    .replace(/^.*?\/(apps|libs|tools)\//, "$1/");
  return `${path}:${f.lineNumber + 1}`;
}

/**
 * Self time by origin and the top functions of a profile. A sample's time is the delta to the next sample
 * (the last one gets the mean), as DevTools counts it.
 * @param {CpuProfile} profile
 * @param {number} [topN]
 * @returns {ProfileSummary}
 */
export function reduceProfile(profile, topN = 10) {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} self µs per node id */
  const selfUs = new Map();
  const meanUs = samples.length > 1 ? (profile.endTime - profile.startTime) / samples.length : 0;
  for (let k = 0; k < samples.length; k++) {
    const us = k + 1 < deltas.length ? Math.max(0, deltas[k + 1] ?? 0) : meanUs;
    const id = /** @type {number} */ (samples[k]);
    selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  }
  /** @type {Record<string, number>} */
  const origins = Object.fromEntries(ORIGINS.map((o) => [o, 0]));
  /** @type {Map<string, TopFunction>} */
  const fns = new Map();
  /** @type {Map<string, number>} */
  const files = new Map();
  let sampled = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(root)") continue;
    const f = node.callFrame;
    const origin = originOf(f);
    origins[origin] = (origins[origin] ?? 0) + us / 1000;
    sampled += us;
    if (origin === "idle") continue;
    const key = `${f.functionName}@${f.url}:${f.lineNumber}`;
    const name = f.functionName || "(anonymous)";
    const fn = fns.get(key) ?? { name, origin, where: where(f), ms: 0 };
    fn.ms += us / 1000;
    fns.set(key, fn);
    const file = fn.where.replace(/:\d+$/, "") || "(no file)";
    files.set(file, (files.get(file) ?? 0) + us / 1000);
  }
  const r = (/** @type {number} */ x) => Math.round(x * 1000) / 1000;
  for (const k of Object.keys(origins)) origins[k] = r(origins[k] ?? 0);
  const sampledMs = sampled / 1000;
  return {
    wallMs: r((profile.endTime - profile.startTime) / 1000),
    sampledMs: r(sampledMs),
    busyMs: r(sampledMs - (origins.idle ?? 0)),
    origins,
    top: [...fns.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, topN)
      .map((f) => ({ ...f, ms: r(f.ms) })),
    files: Object.fromEntries(
      [...files]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3 * topN)
        .map(([f, ms]) => [f, r(ms)]),
    ),
    samples: samples.length,
  };
}

/**
 * Runs `fn` under the CPU profiler of this process and adds `profile` (reduced) to its result.
 * @template {object} T
 * @param {() => Promise<T>} fn
 * @param {number} [intervalUs] sampling interval
 * @returns {Promise<T & {profile: ProfileSummary, profileIntervalUs: number}>}
 */
export async function profiled(fn, intervalUs = 200) {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
    await session.post("Profiler.start");
    const result = await fn();
    const { profile } = await session.post("Profiler.stop");
    return { ...result, profile: reduceProfile(/** @type {CpuProfile} */ (profile)), profileIntervalUs: intervalUs };
  } finally {
    session.disconnect();
  }
}
