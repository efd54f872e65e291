// The walkthrough end to end, for all three variants, against the real daprd
// and the project's Redis (stopped and started again by the walkthrough).
import { describe, expect, it } from "vitest";
import { $ } from "zx";
import { ROOT } from "./lib/paths.mjs";

const zx = ["node", `${ROOT}/node_modules/zx/build/cli.js`, `${ROOT}/tools/demo.mjs`, "walkthrough"];

describe("npx zx tools/demo.mjs walkthrough", () => {
  it("--variant all --json: every variant passes every step, nothing lost or repeated", async () => {
    const out = await $({ cwd: ROOT })`${zx} --variant all --json`.nothrow().timeout("360s");
    const result = JSON.parse(out.stdout);
    expect(result.results.map((r) => r.variant)).toEqual(["sdk-app", "http-app", "grpc-app"]);
    for (const r of result.results) {
      const missing = r.expectations.filter((x) => !x.ok).map((x) => x.name);
      expect(missing, `${r.variant}: ${missing.join("; ")}`).toEqual([]);
      const t = r.timeline;
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
  });

  it("with -- <command>, checks any app, and exits non-zero naming what was not met", async () => {
    const out = await $({ cwd: ROOT })`${zx} --json -- node -e ${"console.log(\"Saving Order: {'orderId': '1'}\")"}`
      .nothrow()
      .timeout("120s");
    expect(out.exitCode).toBe(1);
    const result = JSON.parse(out.stdout);
    expect(result.ok).toBe(false);
    expect(result.results[0].expectations[0]).toMatchObject({
      name: "orders flow: three Saving/Getting pairs",
      ok: false,
    });
    expect(out.stderr).toMatch(/walkthrough failed; not met:\n\s+node -e .*orders flow/);
  });
});
