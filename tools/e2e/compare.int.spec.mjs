// @ts-check
// The real `compare --quick --json`: own Redis, real daprd, the built apps.
// Checks that the numbers are well-formed, never how fast anything is.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCompare } from "../demos/compare/index.mjs";
import { parseCompareArgs } from "../demos/compare/args.mjs";

/** @typedef {import("../demos/compare/steady.mjs").Spread} Spread */
/** @typedef {import("../demos/compare/startup.mjs").AppStartup} AppStartup */
/** @typedef {import("../demos/compare/startup.mjs").DriverStartup} DriverStartup */
/** @typedef {import("../demos/compare/code.mjs").CodeCost} CodeCost */
/** @typedef {keyof typeof import("../stack/paths.mjs").VARIANTS} Variant */
/** @typedef {Awaited<ReturnType<typeof import("../demos/compare/outage.mjs").outageVariant>>} OutageRun */
/**
 * The parts of compare.json this test reads, typed from the modules that produce them
 * (runCompare builds the whole result as `any`). Every variant runs with --quick.
 * @typedef {{
 *   quick: boolean,
 *   plan: typeof import("../demos/compare/index.mjs").PLANS.quick,
 *   machine: import("../demos/compare/procs.mjs").Machine,
 *   steady: import("../demos/compare/steady.mjs").SteadyResult,
 *   startup: {drivers: Record<string, DriverStartup>, apps: Record<Variant, AppStartup>},
 *   outage: {runs: Record<string, OutageRun>},
 *   code: Record<Variant, CodeCost>,
 * }} CompareJson
 */

const out = fs.mkdtempSync(path.join(os.tmpdir(), "compare-int-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/**
 * Runs compare in this process with stdout captured: --json must put exactly one JSON document there.
 * @param {string[]} argv
 * @returns {Promise<{code: number, stdout: string, result: CompareJson}>}
 */
async function compareJson(argv) {
  /** @type {string[]} */
  const chunks = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk, ...rest) => {
    chunks.push(String(chunk));
    const cb = rest.find((r) => typeof r === "function");
    cb?.();
    return true;
  };
  let code;
  try {
    code = await runCompare(parseCompareArgs(argv));
  } finally {
    process.stdout.write = write;
  }
  const stdout = chunks.join("");
  return { code, stdout, result: JSON.parse(stdout) };
}

const finite = (/** @type {unknown} */ x) => expect(Number.isFinite(x), String(x)).toBe(true);

describe("compare --quick --json", () => {
  /** @type {Awaited<ReturnType<typeof compareJson>>} */
  let run;
  it("runs, exits 0 and prints only JSON on stdout", async () => {
    run = await compareJson(["--quick", "--json", "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(run.result.quick).toBe(true);
  });

  it("has every row, each with well-formed maximum, open-loop, CPU and memory numbers", () => {
    const { steady, plan } = run.result;
    expect(Object.keys(steady.rows)).toEqual([
      "redis",
      "sdk-http",
      "sdk-grpc",
      "http",
      "grpc",
      "ceiling",
      "grpc-ceiling",
    ]);
    const ordered = (/** @type {Spread} */ sp) => {
      for (const v of Object.values(sp)) finite(v);
      expect(sp.min).toBeLessThanOrEqual(sp.q1);
      expect(sp.q1).toBeLessThanOrEqual(sp.median);
      expect(sp.median).toBeLessThanOrEqual(sp.q3);
      expect(sp.q3).toBeLessThanOrEqual(sp.max);
    };
    for (const [name, s] of Object.entries(steady.rows)) {
      ordered(s.max.callsPerSec);
      expect(s.max.callsPerSec.median, name).toBeGreaterThan(0);
      ordered(s.max.cpuUsPerCall.client);
      expect(s.max.cpuUsPerCall.client.median, name).toBeGreaterThan(0);
      if (name !== "redis") ordered(s.max.cpuUsPerCall.daprd);
      expect(s.max.bound).toBeTruthy();
      expect(Object.keys(s.open)).toEqual(plan.rates.map((r) => `open${r}`));
      for (const o of Object.values(s.open)) {
        for (const kind of /** @type {const} */ (["save", "get"])) {
          ordered(o[kind].p50);
          expect(o[kind].p50.median, `${name} ${kind}`).toBeGreaterThan(0);
          expect(o[kind].p50.median).toBeLessThanOrEqual(o[kind].p90.median);
          expect(o[kind].p90.median).toBeLessThanOrEqual(o[kind].p99.median);
          // Each call is sent at or after its slot, so its latency from the send is never the longer one.
          const fromSend = o[kind === "save" ? "saveService" : "getService"];
          expect(fromSend.p50.median).toBeGreaterThan(0);
          expect(fromSend.p50.median).toBeLessThanOrEqual(o[kind].p50.median);
        }
        expect(o.lagP50.median).toBeGreaterThanOrEqual(0);
        finite(o.clockCpuUsPerCall.median);
        expect(o.achievedPerSec.median).toBeGreaterThan(0);
      }
      expect(s.rssMB.median).toBeGreaterThan(steady.bareRssMB.median); // a driver holds more than an idle node
      for (const k of /** @type {const} */ (["bootMs", "importMs", "firstSaveMs"])) finite(s.ready[k]);
    }
    expect(steady.bareRssMB.median).toBeGreaterThan(0);
    expect(steady.order).toHaveLength(plan.rounds);
    for (const turn of steady.order) expect(turn.slice().sort()).toEqual(Object.keys(steady.rows).sort());
    // Every row measured every phase in every round, with the CPU of its processes.
    expect(steady.measurements).toHaveLength(7 * plan.rounds * (1 + plan.rates.length));
    for (const m of steady.measurements) expect(m.cost.cpuSeconds.client).toBeGreaterThanOrEqual(0);
  });

  it("has a CPU profile of every row: by origin, adding up to its main thread, with the top functions", () => {
    for (const [name, s] of Object.entries(run.result.steady.rows)) {
      const p = s.profile;
      expect(p, name).toBeDefined();
      if (!p) continue;
      expect(p.callsPerSec, name).toBeGreaterThan(0);
      expect(p.mainUsPerCall, name).toBeGreaterThan(0);
      expect(p.clientUsPerCall + 0.1, name).toBeGreaterThanOrEqual(p.mainUsPerCall);
      const sum = Object.values(p.origins).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - p.mainUsPerCall), name).toBeLessThan(0.02 * p.mainUsPerCall + 1);
      expect(p.top.length, name).toBeGreaterThan(0);
      expect(p.idleShare).toBeGreaterThanOrEqual(0);
    }
    // Each client's own library shows up in its profile.
    const { rows } = run.result.steady;
    expect(rows.grpc?.profile?.origins["grpc-js"]).toBeGreaterThan(0);
    expect(rows["sdk-http"]?.profile?.origins["@dapr/dapr"]).toBeGreaterThan(0);
    expect(rows["grpc-ceiling"]?.profile?.origins["protobuf-es"]).toBeGreaterThan(0);
    expect(rows["grpc-ceiling"]?.profile?.origins["grpc-js"]).toBe(0);
  });

  it("has start-up times and resident memory for every app, and the start-up breakdown for every row", () => {
    for (const v of /** @type {const} */ (["sdk", "http", "grpc"])) {
      const s = run.result.startup.apps[v];
      finite(s.fromDaprdMs.median);
      expect(s.fromAppMs.median).toBeGreaterThan(0);
      expect(s.fromDaprdMs.median).toBeGreaterThan(s.fromAppMs.median); // daprd starts first
      expect(s.appRssMB.median).toBeGreaterThan(0);
      expect(s.daprdRssMB.median).toBeGreaterThan(0);
    }
    for (const s of Object.values(run.result.startup.drivers)) {
      expect(s.spawnToReadyMs.median).toBeGreaterThan(s.bootMs.median);
      finite(s.importMs.median);
    }
  });

  it("reports every target with a measured value", () => {
    const md = fs.readFileSync(path.join(out, "compare.md"), "utf8");
    expect(md).toContain("## Targets");
    expect(md).toContain("## The two ceilings");
    expect(md).toContain("| max calls/s |");
    expect(md).toContain("### grpc-app: the costliest functions");
    expect(md).not.toMatch(/NaN|undefined/);
    expect(run.result.machine.others).toBeInstanceOf(Array);
  });

  it("ran an outage that lost, repeated and skipped no order", () => {
    const runs = Object.entries(run.result.outage.runs);
    expect(runs.length).toBeGreaterThan(0);
    for (const [, r] of runs) {
      expect(r.audit).toMatchObject({ lost: 0, repeated: 0, skipped: 0 });
      for (const k of /** @type {const} */ (["firstFailureS", "breakerOpenS", "redisUpS", "recoveredAfterUpS"]))
        finite(r[k]);
      expect(r.firstFailureS).toBeGreaterThan(0);
      // Both are `number | undefined` in the type; finite() has just checked they are numbers.
      expect(r.breakerOpenS).toBeGreaterThanOrEqual(/** @type {number} */ (r.firstFailureS));
      expect(r.redisUpS).toBeGreaterThan(/** @type {number} */ (r.breakerOpenS));
      expect(r.ordersSaved).toBeGreaterThan(run.result.plan.ordersBefore);
      expect(r.ordersPerSecond.reduce((a, b) => a + b.n, 0)).toBe(r.ordersSaved);
      expect(r.metrics.length).toBeGreaterThan(0);
    }
  });

  it("counts code and packages, and writes the report files", () => {
    for (const c of Object.values(run.result.code)) {
      expect(c.codeLines).toBeGreaterThan(0);
      expect(c.codeLines).toBeLessThanOrEqual(c.lines);
      expect(Number.isInteger(c.packageCount)).toBe(true);
    }
    expect(run.result.code.http.packageCount).toBe(0); // fetch needs nothing from npm
    expect(fs.readFileSync(path.join(out, "compare.svg"), "utf8")).toMatch(/<svg[\s\S]*<\/svg>\n$/);
    expect(fs.readFileSync(path.join(out, "compare.md"), "utf8")).toContain("| sdk-app over gRPC |");
    expect(JSON.parse(fs.readFileSync(path.join(out, "compare.json"), "utf8")).steady.rows.ceiling).toBeDefined();
  });
});
