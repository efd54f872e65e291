// The real `compare --quick --json`: own Redis, real daprd, the built apps.
// Checks that the numbers are well-formed, never how fast anything is.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCompare } from "./lib/compare.mjs";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "compare-int-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Runs compare in this process with stdout captured: --json must put exactly one JSON document there. */
async function compareJson(argv) {
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
    code = await runCompare(argv);
  } finally {
    process.stdout.write = write;
  }
  const stdout = chunks.join("");
  return { code, stdout, result: JSON.parse(stdout) };
}

const finite = (x) => expect(Number.isFinite(x), String(x)).toBe(true);

describe("compare --quick --json", () => {
  let run;
  it("runs, exits 0 and prints only JSON on stdout", async () => {
    run = await compareJson(["--quick", "--json", "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(run.result.quick).toBe(true);
  });

  it("has steady-state numbers for every variant and the Redis baseline", () => {
    const { steady } = run.result;
    expect(Object.keys(steady).sort()).toEqual(["grpc", "http", "redis", "sdk"]);
    for (const [name, s] of Object.entries(steady)) {
      expect(
        s.levels.map((l) => l.concurrency),
        name,
      ).toEqual([1, 16]);
      for (const l of s.levels) {
        for (const k of ["p50", "p90", "p99", "callsPerSec"]) for (const v of Object.values(l[k])) finite(v);
        expect(l.p50.min).toBeLessThanOrEqual(l.p50.median);
        expect(l.p50.median).toBeLessThanOrEqual(l.p50.max);
        expect(l.p50.median).toBeGreaterThan(0);
        expect(l.p50.median).toBeLessThanOrEqual(l.p90.median);
        expect(l.p90.median).toBeLessThanOrEqual(l.p99.median);
        expect(l.callsPerSec.median).toBeGreaterThan(0);
        const q = l.pooled;
        expect([q.p5, q.p25, q.p50, q.p75, q.p90, q.p99, q.max]).toEqual(
          [q.p5, q.p25, q.p50, q.p75, q.p90, q.p99, q.max].sort((a, b) => a - b),
        );
        for (const r of l.reps) {
          expect(r.p50).toBeLessThanOrEqual(r.p90);
          expect(r.p90).toBeLessThanOrEqual(r.p99);
          expect(r.callsPerSec).toBeGreaterThan(0);
        }
      }
    }
  });

  it("has start-up times and resident memory for every app", () => {
    for (const v of ["sdk", "http", "grpc"]) {
      const s = run.result.startup[v];
      finite(s.fromDaprdMs.median);
      finite(s.fromAppMs.median);
      expect(s.fromAppMs.median).toBeGreaterThan(0);
      expect(s.fromDaprdMs.median).toBeGreaterThan(s.fromAppMs.median); // daprd starts first
      expect(s.appRssMB).toBeGreaterThan(0);
      expect(s.daprdRssMB).toBeGreaterThan(0);
    }
  });

  it("ran an outage that lost, repeated and skipped no order", () => {
    const runs = Object.entries(run.result.outage.runs);
    expect(runs.length).toBeGreaterThan(0);
    for (const [, r] of runs) {
      expect(r.audit).toMatchObject({ lost: 0, repeated: 0, skipped: 0 });
      for (const k of ["firstFailureS", "breakerOpenS", "redisUpS", "recoveredAfterUpS"]) finite(r[k]);
      expect(r.firstFailureS).toBeGreaterThan(0);
      expect(r.breakerOpenS).toBeGreaterThanOrEqual(r.firstFailureS);
      expect(r.redisUpS).toBeGreaterThan(r.breakerOpenS);
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
    expect(fs.readFileSync(path.join(out, "compare.md"), "utf8")).toContain("| sdk-app |");
    expect(JSON.parse(fs.readFileSync(path.join(out, "compare.json"), "utf8")).steady.redis).toBeDefined();
  });
});
