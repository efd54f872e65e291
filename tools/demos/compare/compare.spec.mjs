// @ts-check
// Unit tests of compare's own logic, on in-memory results (no daprd, no Redis).
import { describe, expect, it } from "vitest";
import { percentile, shuffle, spread, summarize } from "../../bench/lib/stats.mjs";
import { rowsFor } from "./index.mjs";
import { parseCompareArgs } from "./args.mjs";
import { parseResiliencyMetrics, perSecond } from "./outage.mjs";
import { countLines, lockPackages } from "./code.mjs";
import { bound, cpuSummary, ROWS } from "./steady.mjs";
import { US, checkSvg, fakeResult, fakeRow } from "./fake-result.mjs";
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
    // From the actual send, http-app adds 0.45 ms over Redis direct and the HTTP ceiling 0.40.
    expect(t.find((x) => x.target.startsWith("http-app: added p50 from the actual send"))).toMatchObject({
      met: true,
      measured: expect.stringMatching(/^\+0\.05 ms/),
    });
    // Below 90 % of its ceiling, with a profile: not met or failed, but the functions that stop it named.
    expect(t.find((x) => x.target.startsWith("http-app: closed-loop"))).toMatchObject({
      met: undefined,
      measured: expect.stringMatching(/^83 %.*costliest: `makeUnaryRequest` \(grpc-js\) 60 µs/),
    });
    expect(t.find((x) => x.target.startsWith("http-app: send lag p50 ≤ 50 µs"))).toMatchObject({
      met: false,
      measured: "300 µs",
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
  it("holds each style to its own protocol's ceiling, and compares the two ceilings", () => {
    const t = targets(result);
    // sdk-app over gRPC: 3000 of the gRPC ceiling's 5000 calls/s, not of the HTTP ceiling's 6000.
    expect(t.find((x) => x.target.startsWith("sdk-app over gRPC: closed-loop"))?.measured).toMatch(/^60 %/);
    const c = tables(result).ceilings ?? "";
    expect(c).toContain("| max calls/s | 6000 | 5000 | -17 % |");
    expect(c).toContain("| daprd CPU µs per call at the max | 130 | 160 | +23 % |");
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
    expect(reading(result).join(" ")).toContain("ceiling (raw keep-alive HTTP/1.1) 6000/s (100 % of the HTTP ceiling");
    expect(page).toContain("## Where each client's CPU goes");
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
    expect(rowsFor(["grpc"])).toEqual(["redis", "grpc", "ceiling", "grpc-ceiling"]);
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
