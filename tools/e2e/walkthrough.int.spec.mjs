// @ts-check
// The walkthrough end to end, for all three variants, against the real daprd
// and the project's Redis (stopped and started again by the walkthrough).
import { describe, expect, it } from "vitest";
import { $ } from "zx";
import { ROOT } from "../stack/paths.mjs";
import { readRows, rowDifferences } from "../demos/walkthrough/report.mjs";

const zx = ["node", `${ROOT}/node_modules/zx/build/cli.js`, `${ROOT}/tools/demo.mjs`, "walkthrough"];

describe("npx zx tools/demo.mjs walkthrough", () => {
  it("--variant all --json: every variant passes every step, nothing lost or repeated", async () => {
    const out = await $({ cwd: ROOT })`${zx} --variant all --json`.nothrow().timeout("360s");
    /** @type {{ ok: boolean, results: import("../demos/walkthrough/types.mjs").WalkResult[] }} */
    const result = JSON.parse(out.stdout);
    expect(result.results.map((r) => r.variant)).toEqual(["sdk-app", "http-app", "grpc-app"]);
    for (const r of result.results) {
      const missing = r.expectations.filter((x) => !x.ok).map((x) => x.name);
      expect(missing, `${r.variant}: ${missing.join("; ")}`).toEqual([]);
      const t = /** @type {Required<import("../demos/walkthrough/types.mjs").Timeline>} */ (r.timeline);
      // the order of events the seed shows
      expect(t.redisDown).toBeLessThan(t.firstRetry);
      expect(t.firstRetry).toBeLessThan(t.breakerOpen);
      expect(t.breakerOpen).toBeLessThan(t.halfOpen);
      expect(t.halfOpen).toBeLessThanOrEqual(t.reopen);
      expect(t.reopen).toBeLessThan(t.redisUp);
      expect(t.redisUp).toBeLessThanOrEqual(t.recovered);
      expect(r.orders).toMatchObject({ lost: 0, repeated: 0, skipped: 0, during: 0 });
      expect(r.orders.before).toBeGreaterThanOrEqual(3);
      expect(r.orders.after).toBeGreaterThanOrEqual(3);
      expect(r.policy).toMatchObject({
        breakerName: "simpleCB-statestore",
        tripAfter: 5,
        retryEveryMs: 5000,
        openForMs: 5000,
      });
    }
    expect(out.exitCode).toBe(0);
    expect(result.ok).toBe(true);
    expect(out.stderr).toMatch(/Verdict for grpc-app: PASS/);
    // every row the live stream printed is in a verdict table, in the same order
    const { live, table } = readRows(out.stderr);
    expect(table).toHaveLength(result.results.reduce((n, r) => n + r.expectations.length, 0));
    expect(rowDifferences({ live, table })).toEqual([]);
  });

  it("with -- <command>, checks any app, and exits non-zero naming what was not met", async () => {
    // one order line, then the app exits: the walkthrough stops waiting at once
    const out = await $({ cwd: ROOT })`${zx} --json -- node -e ${"console.log(\"Saving Order: {'orderId': '1'}\")"}`
      .nothrow()
      .timeout("60s");
    expect(out.exitCode).toBe(1);
    /** @type {{ ok: boolean, results: import("../demos/walkthrough/types.mjs").WalkResult[] }} */
    const result = JSON.parse(out.stdout);
    expect(result.ok).toBe(false);
    const [r] = result.results;
    if (!r) throw new Error("no result");
    const rows = r.expectations;
    expect(rows[0]).toMatchObject({
      name: "orders flow: three orders saved",
      ok: false,
      detail: "1 saved; the app exited first with exit code 0",
    });
    expect(rows.find((x) => x.name === "the app stops cleanly on SIGTERM")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^the app ended by itself at .* with exit code 0, before SIGTERM$/),
    });
    // it printed a save it never made: that order is lost
    expect(r.orders).toMatchObject({ lost: 1, deleted: 0 });
    expect(out.stderr).toMatch(/walkthrough failed; not met:\n\s+node -e .*orders flow/);
    const { live, table } = readRows(out.stderr);
    expect(table).toHaveLength(rows.length);
    expect(rowDifferences({ live, table })).toEqual([]);
  });
});
