// @ts-check
// Unit tests of compare's own logic, on in-memory results (no daprd, no Redis).
import { describe, expect, it } from "vitest";
import { percentile, shuffle, spread, summarize } from "../../bench/lib/stats.mjs";
import { rowsFor } from "./index.mjs";
import { parseCompareArgs } from "./args.mjs";
import { parseResiliencyMetrics, perSecond } from "./outage.mjs";
import { countLines, lockPackages } from "./code.mjs";
import { bound, cpuSummary, summarizeRow, ROWS } from "./steady.mjs";
import { mdTable, tables, targets } from "./report.mjs";
import { markdown, reading } from "./page.mjs";
import { renderSvg } from "./svg.mjs";
import { UsageError } from "../../cli/errors.mjs";

/** @typedef {import("../../bench/lib/stats.mjs").Spread} Spread */
/** @typedef {import("../../bench/lib/driver.mjs").Ready} Ready */
/** @typedef {import("./host.mjs").Cost} Cost */
/** @typedef {import("./host.mjs").PerProcess} PerProcess */
/** @typedef {import("./steady.mjs").Measurement} Measurement */
/** @typedef {import("./steady.mjs").CpuSummary} CpuSummary */
/** @typedef {import("./steady.mjs").OpenSummary} OpenSummary */

/** Tags balance and nest, attributes hold no NaN/undefined, text has no bare & or <: enough for a browser to draw it. @param {string} svg */
function checkSvg(svg) {
  expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  /** @type {(string | undefined)[]} */
  const stack = [];
  const body = svg.replace(/^<\?xml[^>]*\?>/, "");
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
  }
  expect(stack).toEqual([]);
  const text = body.replace(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, "");
  expect(text).not.toMatch(/[<>]/);
  expect(text).not.toMatch(/&(?!(amp|lt|gt|quot);)/);
}

const lat = (/** @type {number} */ p50) => ({ p50, p90: p50 * 2, p99: p50 * 4, max: p50 * 8, n: 100 });
/** @param {number} calls @param {PerProcess} us µs per call @returns {Cost} */
const cost = (calls, us, wait = 0) => ({
  wallSeconds: 1,
  cpuSeconds: { client: (us.client * calls) / 1e6, daprd: (us.daprd * calls) / 1e6, redis: (us.redis * calls) / 1e6 },
  waitSeconds: { client: (wait * calls) / 1e6, daprd: 0, redis: 0 },
  othersCores: 0.2,
  clientRssMB: 40 + us.client / 10,
});
/**
 * Three rounds of one row: its maximum, and open-loop runs at 1000/s whose p50 is `p50` ms.
 * @param {string} row @param {number} cps @param {number} p50 @param {PerProcess} us
 * @returns {Measurement[]}
 */
function fakeRow(row, cps, p50, us) {
  /** @type {Measurement[]} */
  const out = [];
  for (let round = 0; round < 3; round++) {
    const c = cps * (1 + (round - 1) * 0.05);
    out.push({
      row,
      round,
      phase: "max",
      cost: cost(c, us),
      result: { calls: c, seconds: 1, callsPerSec: c, save: lat(8), get: lat(7) },
    });
    /** @type {Partial<import("../../bench/lib/driver.mjs").OpenResult>} a driver's open-loop RESULT, without `op` */
    const open = { rate: 1000, calls: 1000, sent: 1000, dropped: 0, seconds: 1, achievedPerSec: 1000, lag: lat(0.3) };
    for (const k of /** @type {const} */ (["save", "get", "saveService", "getService"]))
      open[k] = lat(p50 + round * 0.01);
    out.push({ row, round, phase: "open1000", cost: cost(1000, us), result: open });
  }
  return out;
}
/** @type {Ready} */
const ready = { bootMs: 30, importMs: 40, createMs: 1, firstSaveMs: 5, firstGetMs: 2 };
/** @type {Record<string, [number, number, PerProcess]>} each row's calls/s, open-loop p50 ms and µs per call */
const US = {
  redis: [20000, 0.3, { client: 60, daprd: 0, redis: 20 }],
  "sdk-http": [4000, 1.1, { client: 300, daprd: 180, redis: 40 }],
  "sdk-grpc": [3000, 1.2, { client: 400, daprd: 150, redis: 40 }],
  http: [5000, 0.75, { client: 150, daprd: 180, redis: 40 }],
  "a<b&c": [5500, 0.8, { client: 100, daprd: 150, redis: 40 }],
  ceiling: [6000, 0.7, { client: 40, daprd: 130, redis: 35 }],
};
/** A compare result with every part the report reads (`steady.measurements` is a stand-in). @param {boolean} withOutage */
const fakeResult = (withOutage) => {
  const rows = Object.fromEntries(
    Object.entries(US).map(([r, [cps, p50, us]]) => [r, summarizeRow(fakeRow(r, cps, p50, us), ready, true)]),
  );
  return {
    date: "2025-01-01T00:00:00.000Z",
    argv: ["--quick"],
    quick: true,
    wallSeconds: 60,
    plan: {
      rates: [1000],
      rounds: 3,
      rewarmCalls: 50,
      warmCalls: 200,
      concurrency: 16,
      maxMs: 500,
      openMs: 400,
      driverStartupReps: 1,
      startupReps: 1,
    },
    machine: {
      cpus: 2,
      model: "x",
      memMB: 1,
      clockTicks: 100,
      loadBefore: [1, 1, 1],
      loadAfter: [2, 2, 2],
      others: [{ pid: 1, comm: "x", cmd: "a|b", cpuSeconds: 3, percentOfOneCore: 5 }],
    },
    versions: { node: "v20", daprd: "1.18.2", daprSdk: "3.18.0", redisServer: "7", nodeRedis: "6" },
    pinning: { note: "pinned", observed: {} },
    steady: {
      rows,
      bareRssMB: spread([40, 41]),
      daprdRssMB: spread([90]),
      measurements: [1, 2],
      order: [["redis", "http"]],
    },
    startup: {
      drivers: {
        http: Object.fromEntries(
          /** @type {(keyof Ready)[]} */ (Object.keys(ready))
            .map((k) => /** @type {[string, Spread]} */ ([k, spread([ready[k]])]))
            .concat([["spawnToReadyMs", spread([80])]]),
        ),
      },
      apps: {
        http: {
          fromAppMs: spread([200]),
          fromDaprdMs: spread([300]),
          daprdReadyMs: spread([100]),
          appRssMB: spread([60]),
          daprdRssMB: spread([90]),
        },
        grpc: {
          fromAppMs: spread([300]),
          fromDaprdMs: spread([400]),
          daprdReadyMs: spread([100]),
          appRssMB: spread([70]),
          daprdRssMB: spread([90]),
        },
      },
    },
    code: { http: { files: ["main.ts"], lines: 10, codeLines: 8, directDependencies: [], packageCount: 0 } },
    outage: {
      note: "n",
      runs: withOutage
        ? {
            http: {
              leadS: 2.5,
              endS: 50,
              firstFailureS: 3.6,
              breakerOpenS: 36,
              redisUpS: 39,
              recoveredAfterUpS: 2,
              ordersSaved: 20,
              appRetries: 0,
              audit: { lost: 0, repeated: 0, skipped: 0 },
              ordersPerSecond: perSecond([-2, -1.5, -0.2, 41, 41.5, 42], -3, 50),
              transitions: [
                { t: 36, to: "open" },
                { t: 41, to: "half-open" },
                { t: 41.01, to: "closed" },
              ],
              metrics: [
                { t: -1, cb: "closed" },
                { t: 38, cb: "open" },
              ],
            },
          }
        : {},
    },
  };
};

describe("stats", () => {
  it("percentile interpolates between ranks of a sorted array", () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([0, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeNaN();
  });
  it("summarize sorts numerically and counts", () => {
    const s = summarize([100, 9, 1, 20, 3, 0.5, 7, 50, 2, 11]);
    expect(s).toMatchObject({ p50: 8, max: 100, n: 10 });
    expect(s.p90).toBeLessThanOrEqual(s.p99);
  });
  it("spread gives median, range and quartiles over repetitions", () => {
    expect(spread([5, 1, 3, 2, 4])).toEqual({ median: 3, min: 1, max: 5, q1: 2, q3: 4 });
  });
  it("shuffle permutes without losing or repeating", () => {
    const seq = [0.9, 0.1, 0.5, 0.3, 0.7];
    const out = shuffle(ROWS, () => seq.shift() ?? 0);
    expect(out.slice().sort()).toEqual(ROWS.slice().sort());
    expect(out).not.toEqual(ROWS);
  });
});

describe("CPU accounting and what bounds a row", () => {
  it("gives µs per call and the share of a core per process", () => {
    const c = cpuSummary(
      fakeRow("http", 5000, 1, { client: 150, daprd: 180, redis: 40 }).filter((m) => m.phase === "max"),
      (m) => m.result.calls,
    );
    expect(c.cpuUsPerCall.client.median).toBeCloseTo(150, 3);
    expect(c.cpuUsPerCall.daprd.median).toBeCloseTo(180, 3);
    expect(c.coreUse.daprd.median).toBeCloseTo(0.9, 3); // 5000 calls × 180 µs in 1 s
    expect(c.othersCores.median).toBe(0.2);
  });
  /** @param {number} m @returns {Spread} */
  const sp = (m) => ({ median: m, min: m, max: m, q1: m, q3: m });
  /** @param {number} client @param {number} daprd @param {number} redis cores used @returns {CpuSummary} */
  const c = (client, daprd, redis, wait = 0, others = 0.5) => ({
    coreUse: { client: sp(client), daprd: sp(daprd), redis: sp(redis) },
    cpuUsPerCall: { client: sp(100), daprd: sp(100), redis: sp(100) },
    waitUsPerCall: { client: sp(wait), daprd: sp(0), redis: sp(0) },
    othersCores: sp(others),
  });
  it("names the process on the full core", () => {
    expect(bound(c(0.4, 0.7, 0.25), true).boundBy).toBe("daprd");
    expect(bound(c(0.95, 0.3, 0.1), true)).toMatchObject({
      boundBy: "client",
      bound: expect.stringContaining("CPU 1 full"),
    });
  });
  it("blames the machine when a process waited for a CPU, else the round trip", () => {
    expect(bound(c(0.4, 0.3, 0.1, 200), true).boundBy).toBe("machine");
    expect(bound(c(0.4, 0.3, 0.1, 0), true).boundBy).toBe("latency");
  });
  it("blames the client's own threads when it queued for its core on an otherwise idle machine", () => {
    expect(bound(c(0.77, 0.3, 0.1, 300, 0.1), true)).toMatchObject({
      boundBy: "client",
      bound: expect.stringContaining("its own threads (JS, GC, I/O) queued for it 300 µs a call"),
    });
  });
});

describe("report", () => {
  const result = fakeResult(true);
  it("derives added latency, fractions of the ceiling and the targets", () => {
    const t = targets(result);
    const added = t.find((x) => x.target.startsWith("http-app: adds ≤ 0.5 ms"));
    expect(added).toMatchObject({ met: true, measured: "save +0.45 ms, get +0.45 ms" });
    expect(t.find((x) => x.target.startsWith("sdk-app over HTTP: adds ≤ 0.5 ms"))?.met).toBe(false);
    expect(t.find((x) => x.target.startsWith("http-app: adds ≤ 1.25×"))).toMatchObject({
      met: true,
      measured: expect.stringMatching(/^1\.1\d×/),
    });
    expect(t.find((x) => x.target.startsWith("http-app: closed-loop"))).toMatchObject({
      met: false,
      measured: expect.stringMatching(/^83 %/),
    });
    expect(t.find((x) => x.target.includes("client CPU per call than sdk-app over HTTP"))).toMatchObject({
      met: true,
      measured: "150 vs 300 µs",
    });
    expect(t.find((x) => x.target === "http-app: first order ≤ 250 ms after start")?.met).toBe(true);
    expect(t.find((x) => x.target === "grpc-app: RSS ≤ bare Node + 25 MB")).toMatchObject({
      met: false,
      measured: expect.stringMatching(/^\+29\.5 MB/),
    });
  });
  it("holds a style to zero added latency when the ceiling's own addition comes out negative", () => {
    const r = fakeResult(false);
    // A TypeError, as before, if the fake had no ceiling row at 1000/s.
    const open1000 = /** @type {OpenSummary} */ (r.steady.rows.ceiling?.open.open1000);
    for (const k of /** @type {const} */ (["save", "get"])) open1000[k].p50.median = 0.2; // below Redis direct's 0.31
    const t = targets(r).find((x) => x.target.startsWith("http-app: adds ≤ 1.25×"));
    expect(t).toMatchObject({ met: false, measured: expect.stringMatching(/^\+0\.45 ms over the limit/) });
  });
  it("has one line per row in the tables, Redis direct as the baseline", () => {
    const t = tables(result);
    expect(t.headline?.split("\n")).toHaveLength(2 + Object.keys(US).length);
    expect(t.headline).toContain("(baseline)");
    expect(t["open 1000/s"]).toContain("| http-app | 0.76 / 1.52 / 3.04 |");
    expect(t.outage).toContain("| http-app | 3.6 s | 36.0 s |");
    expect(t.others).toContain("`a/b`");
    expect(tables(fakeResult(false)).outage).toBeUndefined();
  });
  it("writes a page and a reading from the numbers", () => {
    const page = markdown(result, tables(result));
    expect(page).toContain("## Headline");
    expect(page).not.toMatch(/NaN|undefined/);
    expect(reading(result).join(" ")).toContain("ceiling (raw keep-alive HTTP/1.1) 6000/s (100 % of the ceiling");
  });
  it("draws a well-formed SVG with and without an outage, escaping labels", () => {
    const svg = renderSvg(result);
    checkSvg(svg);
    expect(svg).toContain("a&lt;b&amp;c");
    expect(svg).toContain("Redis outage");
    const without = renderSvg(fakeResult(false));
    checkSvg(without);
    expect(without).not.toContain("Redis outage");
  });
  it("mdTable makes a header, a rule and one line per row", () => {
    expect(mdTable(["a", "b"], [["1", "2"]])).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |");
  });
});

describe("parseCompareArgs and rows", () => {
  it("defaults to every variant and reports/", () => {
    const o = parseCompareArgs([]);
    expect(o).toMatchObject({ variants: ["sdk", "http", "grpc"], quick: false, settings: false });
    expect(o.out).toMatch(/reports$/);
  });
  it("takes a subset and an output folder", () => {
    const o = parseCompareArgs(["--quick", "--json", "--settings", "--variants", "http,sdk", "--out", "/tmp/x"]);
    expect(o).toMatchObject({ quick: true, json: true, settings: true, variants: ["http", "sdk"], out: "/tmp/x" });
  });
  it.each([[["--fast"]], [["extra"]], [["--variants", "sdk,rest"]], [["--variants", ""]], [["--quick=yes"]]])(
    "refuses %j with a UsageError",
    (argv) => expect(() => parseCompareArgs(argv)).toThrow(UsageError),
  );
  it("gives sdk-app a row per protocol, and always Redis direct and the ceiling", () => {
    expect(rowsFor(["sdk", "http", "grpc"])).toEqual(ROWS);
    expect(rowsFor(["grpc"])).toEqual(["redis", "grpc", "ceiling"]);
  });
});

describe("parseResiliencyMetrics", () => {
  const scrape = (/** @type {string} */ state) =>
    ["closed", "half-open", "open", "unknown"]
      .map(
        (s) =>
          `dapr_resiliency_cb_state{app_id="a",flow_direction="outbound",name="r",namespace="",policy="circuitbreaker",status="${s}",target="Statestore_statestore"} ${s === state ? 1 : 0}`,
      )
      .concat(
        "# TYPE dapr_resiliency_activations_total counter",
        'dapr_resiliency_activations_total{app_id="a",flow_direction="outbound",name="r",namespace="",policy="retry",status="",target="Statestore_statestore"} 4',
        'dapr_resiliency_activations_total{app_id="a",flow_direction="outbound",name="r",namespace="",policy="circuitbreaker",status="open",target="Statestore_statestore"} 2',
        'dapr_resiliency_cb_state{app_id="a",policy="circuitbreaker",status="open",target="App_other"} 1',
      )
      .join("\n");

  it("reads the statestore breaker's state and counters, ignoring other targets", () => {
    expect(parseResiliencyMetrics(scrape("open"))).toEqual({ cb: "open", retries: 4, opens: 2 });
    expect(parseResiliencyMetrics(scrape("closed")).cb).toBe("closed");
  });

  it("has no state before any resiliency metric exists", () => {
    expect(parseResiliencyMetrics("dapr_runtime_init_total 1\n")).toEqual({ cb: undefined, retries: 0, opens: 0 });
  });
});

describe("perSecond", () => {
  it("buckets times into whole seconds from `from`, dropping those outside", () => {
    expect(perSecond([-1.5, -0.2, 0, 0.9, 2.1, 7], -2, 3)).toEqual([
      { t: -2, n: 1 },
      { t: -1, n: 1 },
      { t: 0, n: 2 },
      { t: 1, n: 0 },
      { t: 2, n: 1 },
    ]);
  });
});

describe("countLines", () => {
  it("counts all lines and those with code", () => {
    const src =
      "// a comment\nimport x from 'y';\n\n/**\n * doc\n */\nexport const a = 1; // trailing\n/* one line */\n";
    expect(countLines(src)).toEqual({ lines: 8, code: 2 });
  });
});

describe("lockPackages", () => {
  const lock = {
    packages: {
      "": { name: "root" },
      "apps/x": { dependencies: { a: "1", lib: "*" } },
      "node_modules/lib": { resolved: "libs/lib", link: true },
      "node_modules/a": {
        version: "1.0.0",
        dependencies: { b: "^1", c: "2" },
        peerDependencies: { p: "1", q: "1" },
        peerDependenciesMeta: { q: { optional: true } },
      },
      "node_modules/a/node_modules/b": { version: "1.5.0", dependencies: { c: "1" } },
      "node_modules/b": { version: "2.0.0" },
      "node_modules/c": { version: "1.0.0" },
      "node_modules/p": { version: "3.0.0" },
      "node_modules/q": { version: "4.0.0" },
    },
  };
  it("walks nested node_modules first, includes required peers, leaves out workspace links", () => {
    expect(lockPackages(lock, "apps/x")).toEqual(["a@1.0.0", "b@1.5.0", "c@1.0.0", "p@3.0.0"]);
  });
  it("an app without dependencies pulls in nothing", () => {
    expect(lockPackages(lock, "apps/none")).toEqual([]);
  });
});
