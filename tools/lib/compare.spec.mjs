import { describe, expect, it } from "vitest";
import {
  countLines,
  lockPackages,
  mdTable,
  parseCompareArgs,
  parseResiliencyMetrics,
  percentile,
  perSecond,
  reading,
  renderSvg,
  spread,
  summarize,
  tables,
} from "./compare.mjs";
import { UsageError } from "./errors.mjs";

/** Tags balance and nest, attributes hold no NaN/undefined, text has no bare & or <: enough for a browser to draw it. */
function checkSvg(svg) {
  expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
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

const level = (concurrency, p50) => ({
  concurrency,
  pooled: {
    p1: p50 / 2,
    p5: p50 / 2,
    p10: p50 / 2,
    p25: p50 * 0.8,
    p50,
    p75: p50 * 1.2,
    p90: p50 * 2,
    p95: p50 * 3,
    p99: p50 * 5,
    max: p50 * 9,
  },
});

const fakeResult = (withOutage) => ({
  date: "2025-01-01T00:00:00.000Z",
  quick: true,
  steady: {
    redis: { levels: [level(1, 0.3), level(16, 0.9)] },
    sdk: { levels: [level(1, 1.1), level(16, 8)] },
    "a<b&c": { levels: [level(1, 2), level(16, 20)] },
  },
  outage: {
    runs: withOutage
      ? {
          http: {
            leadS: 2.5,
            endS: 50,
            firstFailureS: 3.6,
            breakerOpenS: 36,
            redisUpS: 39,
            ordersSaved: 20,
            audit: { lost: 0 },
            ordersPerSecond: perSecond([-2, -1.5, -0.2, 41, 41.5, 42], -3, 50),
            transitions: [
              { t: 36, to: "open" },
              { t: 41, to: "half-open" },
              { t: 41.01, to: "closed" },
            ],
            metrics: [
              { t: -1, cb: "closed" },
              { t: 37, cb: undefined },
              { t: 38, cb: "open" },
            ],
          },
        }
      : {},
  },
});

describe("stats", () => {
  it("percentile interpolates between ranks of a sorted array", () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10], 99)).toBe(10);
    expect(percentile([0, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeNaN();
  });

  it("summarize sorts numerically (not as strings) and keeps p50 <= p90 <= p99 <= max", () => {
    const values = [100, 9, 1, 20, 3, 0.5, 7, 50, 2, 11];
    const s = summarize(values);
    expect(s.p50).toBe(8);
    expect(s.p50).toBeLessThanOrEqual(s.p90);
    expect(s.p90).toBeLessThanOrEqual(s.p99);
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.max).toBe(100);
    expect(Object.keys(summarize(values, [5, 25]))).toEqual(["p5", "p25", "max"]);
  });

  it("spread gives the median repetition and the range", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([1.23456])).toEqual({ median: 1.235, min: 1.235, max: 1.235 });
  });
});

describe("parseResiliencyMetrics", () => {
  const scrape = (state) =>
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

describe("parseCompareArgs", () => {
  it("defaults to every variant and reports/", () => {
    const o = parseCompareArgs([]);
    expect(o.variants).toEqual(["sdk", "http", "grpc"]);
    expect(o.out).toMatch(/reports$/);
    expect(o.quick).toBe(false);
  });
  it("takes a subset and an output folder", () => {
    const o = parseCompareArgs(["--quick", "--json", "--variants", "http,sdk", "--out", "/tmp/x"]);
    expect(o).toMatchObject({ quick: true, json: true, variants: ["http", "sdk"], out: "/tmp/x" });
  });
  it.each([[["--fast"]], [["extra"]], [["--variants", "sdk,rest"]], [["--variants", ""]], [["--quick=yes"]]])(
    "refuses %j with a UsageError",
    (argv) => {
      expect(() => parseCompareArgs(argv)).toThrow(UsageError);
    },
  );
});

describe("renderSvg", () => {
  it("is well-formed with an outage and escapes labels", () => {
    const svg = renderSvg(fakeResult(true));
    checkSvg(svg);
    expect(svg).toContain("a&lt;b&amp;c");
    expect(svg).toContain("Redis outage");
  });
  it("is well-formed without an outage", () => {
    const svg = renderSvg(fakeResult(false));
    checkSvg(svg);
    expect(svg).not.toContain("Redis outage");
  });
});

describe("mdTable", () => {
  it("makes a header, a rule and one line per row", () => {
    expect(mdTable(["a", "b"], [["1", "2"]])).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |");
  });
});

describe("tables and reading", () => {
  const sp = (median) => ({ median, min: median * 0.9, max: median * 1.1 });
  const lvl = (concurrency, p50, cps) => ({
    concurrency,
    p50: sp(p50),
    p90: sp(p50 * 2),
    p99: sp(p50 * 4),
    callsPerSec: sp(cps),
  });
  const run = (open, retries) => ({
    firstFailureS: 3.7,
    breakerOpenS: open,
    redisUpS: open + 3,
    recoveredAfterUpS: 2,
    gapS: 37,
    ordersSaved: 14,
    appRetries: retries,
    audit: { lost: 0, repeated: 0, skipped: 0 },
  });
  const result = {
    steady: {
      redis: { levels: [lvl(1, 0.3, 3000), lvl(16, 1, 10000)] },
      sdk: { levels: [lvl(1, 1, 900), lvl(16, 5, 2600)] },
      http: { levels: [lvl(1, 1.6, 500), lvl(16, 10, 1200)] },
    },
    startup: {
      sdk: { fromDaprdMs: sp(1100), fromAppMs: sp(880), daprdReadyMs: sp(210), appRssMB: 101, daprdRssMB: 91 },
      http: { fromDaprdMs: sp(450), fromAppMs: sp(236), daprdReadyMs: sp(212), appRssMB: 59, daprdRssMB: 91 },
    },
    outage: { runs: { sdk: run(32.2, 0), http: run(32.5, 0) } },
    code: {
      sdk: { files: ["main.ts"], lines: 10, codeLines: 8, directDependencies: ["@dapr/dapr"], packageCount: 137 },
    },
  };

  it("has one row per client in each table", () => {
    const t = tables(result);
    expect(t.steady.split("\n")).toHaveLength(2 + 3);
    expect(t.steady).toContain("| Redis direct (node-redis) | 0.30 (0.27–0.33) | 0.60 / 1.20 | 3000 (2700–3300) |");
    expect(t.startup.split("\n")).toHaveLength(2 + 2);
    expect(t.outage).toContain("| sdk-app | 3.7 s | 32.2 s | 35.2 s | 2.0 s | 37.0 s | 14 | 0 | 0 / 0 | 0 |");
    expect(t.code).toContain("137");
  });

  it("says what the numbers mean, from the numbers", () => {
    const text = reading(result).join("\n");
    expect(text).toContain("costs 0.70–1.30 ms more per state call");
    expect(text).toContain("fastest sdk-app (900 calls/s), slowest http-app (500 calls/s, 1.8× fewer)");
    expect(text).toContain("http-app saves its first order 236 ms after launch");
    expect(text).toContain("differ by at most 0.3 s");
    expect(text).toContain("no order lost");
  });

  it("leaves the outage out when none ran", () => {
    const t = tables({ ...result, outage: { runs: {} } });
    expect(t.outage).toBeUndefined();
    expect(reading({ ...result, outage: { runs: {} } }).join(" ")).not.toContain("Outage");
  });
});
