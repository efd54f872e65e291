// @ts-check
// The lab's own logic on recorded events made up here (no daprd, no Redis):
// the numbers of a cell, its verdict, the flags, the policies' checks.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError, UsageError } from "../../cli/errors.mjs";
import { measureCell, verdict } from "./measure.mjs";
import { parseLabArgs } from "./args.mjs";
import { POLICIES, checkPolicy, ownPolicy } from "./policies.mjs";

const DAPRD_RETRY = "Error processing operation component[statestore] output. Retrying in 5s…";
const OPEN = 'Circuit breaker "simpleCB-statestore" changed state from closed to open';
const CLOSE = 'Circuit breaker "simpleCB-statestore" changed state from half-open to closed';

/**
 * A cell's recording: orders every 0.5 s before the fault (at 10 s) and after it clears (at 20 s),
 * nothing in between but what `during` adds.
 * @param {{ during?: any[], commands?: Partial<import("./cell.mjs").CellRun["commands"]>, audit?: any }} [o]
 * @returns {import("./cell.mjs").CellRun}
 */
function recording({ during = [], commands = {}, audit } = {}) {
  /** @type {any[]} */
  const events = [];
  let id = 1;
  const order = (/** @type {number} */ at) => {
    events.push({ source: "app", stream: "stdout", at, order: { kind: "saving", id } });
    events.push({ source: "app", stream: "stdout", at: at + 0.01, order: { kind: "getting", id } });
    id++;
  };
  for (let t = 7; t < 10; t += 0.51) order(t);
  events.push(...during);
  for (let t = 21; t < 23; t += 0.51) order(t);
  events.sort((a, b) => a.at - b.at);
  return {
    policy: "seed",
    fault: "refuse",
    faultMs: 10_000,
    events,
    marks: { ready: 6, baseline: 7, faultOn: 10, clearing: 20, faultOff: 20.2, end: 23 },
    commands: { baseline: 100, faultOn: 130, faultOff: 130, end: 160, ...commands },
    restartedRedis: false,
    metrics: ['dapr_resiliency_activations_total{app_id="order-processor",policy="retry",status="closed"} 2'],
    audit: audit ?? { lost: 0, repeated: [], skipped: [] },
    breakerName: "simpleCB-statestore",
    error: undefined,
  };
}

describe("measureCell", () => {
  it("a fault with no order and no error: the app is held for the whole fault, the store gets nothing", () => {
    const r = measureCell(
      recording({
        during: [
          { source: "daprd", at: 13, msg: DAPRD_RETRY },
          { source: "daprd", at: 18, msg: DAPRD_RETRY },
        ],
      }),
    );
    expect(r.stallS).toBeGreaterThanOrEqual(10);
    expect(r.savedDuring).toBe(0);
    expect(r.appErrors).toBe(0);
    expect(r.retries).toBe(2);
    expect(r.loadRatio).toBe(0);
    expect(r.recoveryS).toBeCloseTo(0.8, 1); // first order at 21 s, fault off at 20.2 s
    expect(r.activations).toEqual({ retry: 2 });
    expect(r.verdict).toBe("holds the app");
    expect(r.clean).toBe(true);
  });

  it("errors the app saw early, and the breaker's open spell, are timed from the fault", () => {
    const err = (/** @type {number} */ at) => ({
      source: "app",
      stream: "stderr",
      at,
      line: "sdk-app: Save of order 7 failed: 500",
    });
    const r = measureCell(
      recording({
        during: [err(11.5), err(13), { source: "daprd", at: 12, msg: OPEN }, { source: "daprd", at: 21, msg: CLOSE }],
      }),
    );
    expect(r.firstErrorS).toBe(1.5);
    expect(r.appErrors).toBe(2);
    expect(r.firstOpenS).toBe(2);
    expect(r.timeline.breaker).toEqual([{ from: 2, to: 11, state: "open" }]);
    expect(r.verdict).toBe("fails fast");
  });

  it("a retry storm: many commands per second during the fault against before it", () => {
    // before: 30 commands in 3 s (10/s); during: 100 in 10 s → the same rate per second: ×1
    const r = measureCell(recording({ commands: { faultOn: 130, faultOff: 230 } }));
    expect(r.loadRatio).toBe(1);
    expect(r.verdict).not.toMatch(/hammers/);
    const storm = measureCell(recording({ commands: { faultOn: 130, faultOff: 430 } }));
    expect(storm.loadRatio).toBe(3);
    expect(storm.verdict).toMatch(/hammers ×3\.0/);
  });

  it("a lost order is the loudest word of the verdict", () => {
    const r = measureCell(recording({ audit: { lost: 1, repeated: [], skipped: [4] } }));
    expect(r.clean).toBe(false);
    expect(r.verdict).toMatch(/^LOST 1, repeated 0, skipped 1/);
  });

  it("no order after the fault: the stall is a lower bound, said so", () => {
    const run = recording();
    run.events = run.events.filter((e) => e.at < 20);
    const r = measureCell(run);
    expect(r.stallOpen).toBe(true);
    expect(r.recoveryS).toBeNull();
    expect(r.verdict).toMatch(/no order after the fault/);
  });

  it("a cell that did not run says so", () => {
    const r = recording();
    expect(verdict({ ...measureCell(r), error: "daprd did not start" })).toBe("did not run");
  });
});

describe("the lab's flags", () => {
  it("runs every matrix policy under every fault by default, and the trap policies in cells of their own", () => {
    const a = parseLabArgs([]);
    expect(a.policies.map((p) => p.name)).toEqual(POLICIES.filter((p) => !p.trap).map((p) => p.name));
    expect(a.faults.map((f) => f.name)).toEqual(expect.arrayContaining(["failover", "reject", "hang"]));
    expect(a.traps.map((p) => [p.name, p.trap?.fault])).toEqual([
      ["constant-maxinterval", "reject"],
      ["no-retries", "reject"],
    ]);
    expect(a.faultMs).toBe(15_000);
    // A chosen set runs what was chosen; a trap policy can be chosen by name like any other.
    expect(parseLabArgs(["--faults", "hang"]).traps).toEqual([]);
    expect(parseLabArgs(["--quick"]).traps).toEqual([]);
    expect(parseLabArgs(["--quick", "--traps"]).traps).toHaveLength(2);
    expect(parseLabArgs(["--policies", "no-retries"]).policies.map((p) => p.name)).toEqual(["no-retries"]);
  });

  it("--quick: 2 policies × 2 faults, into a temporary folder", () => {
    const a = parseLabArgs(["--quick"]);
    expect(a.policies.map((p) => p.name)).toEqual(["seed", "fail-fast"]);
    expect(a.faults.map((f) => f.name)).toEqual(["hang", "refuse"]);
    expect(a.out.startsWith(os.tmpdir())).toBe(true);
  });

  it("an unknown policy or fault is exit 2 listing the valid ones", () => {
    expect(() => parseLabArgs(["--policies", "seed,retry-harder"])).toThrow(/Unknown policy "retry-harder".*fail-fast/);
    expect(() => parseLabArgs(["--faults", "freeze"])).toThrow(UsageError);
    expect(() => parseLabArgs(["--fault-s", "0"])).toThrow(/--fault-s must be/);
  });

  it("--policy adds the reader's own file, named after its folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-spec-"));
    const mine = path.join(dir, "mine");
    fs.mkdirSync(mine);
    fs.copyFileSync(/** @type {string} */ (POLICIES[0]?.resiliency), path.join(mine, "resiliency.yaml"));
    try {
      const a = parseLabArgs(["--policies", "seed", "--policy", path.join(mine, "resiliency.yaml")]);
      expect(a.policies.map((p) => p.name)).toEqual(["seed", "mine"]);
      expect(() => ownPolicy(path.join(dir, "nope.yaml"), [])).toThrow(/no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the policies", () => {
  it("every policy in policies/ passes the resources check, and means what it says", () => {
    const meaning = Object.fromEntries(POLICIES.map((p) => [p.name, checkPolicy(p).policy]));
    expect(meaning.none).toBeUndefined();
    expect(meaning["seed-timeout"]?.timeoutMs).toBe(1_000);
    expect(meaning["fail-fast"]).toMatchObject({ maxRetries: 2, tripAfter: 3, timeoutMs: 1_000 });
    expect(meaning.exponential?.maxRetries).toBe(8);
    expect(meaning["no-store-retries"]?.retryEveryMs).toBe(5_000);
    const store = checkPolicy(/** @type {any} */ (POLICIES.find((p) => p.name === "no-store-retries"))).storeMeta;
    expect(store.redisMaxRetries?.value).toBe("-1");
  });

  it("a mistake in the reader's file is exit 2 naming that file and its line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-spec-"));
    const file = path.join(dir, "resiliency.yaml");
    const seed = fs.readFileSync(/** @type {string} */ (POLICIES[0]?.resiliency), "utf8");
    fs.writeFileSync(file, seed.replace("duration: 5s", "duration: 5 seconds"));
    try {
      let err;
      try {
        checkPolicy(ownPolicy(file, []));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ToolError);
      const e = /** @type {ToolError} */ (err);
      expect(e.exitCode).toBe(2);
      const line = seed.split("\n").findIndex((l) => l.includes("duration: 5s")) + 1;
      expect(e.message).toContain(`${file}:${line}`);
      expect(e.message).not.toMatch(/dapr-resources-/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
