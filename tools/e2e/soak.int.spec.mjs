// @ts-check
// The chaos soak for real, short: `demo.mjs soak --duration 3m` with a fixed
// seed, the four client rows beside four real daprd on a real Redis (through
// the real fault proxy when this checkout has it). Every fault kind occurs at
// least once, and all four apps are audited clean by the soak's checker.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runDemo } from "./support/test-support.mjs";
import { appIdOf } from "../demos/soak/apps.mjs";
import { SOAK_STYLES } from "../demos/soak/args.mjs";

/** A seed whose 3-minute schedule the unit tests show to hold every kind (any seed does: each kind is placed once first). */
const SEED = 1815; // dapr/dapr#1815, "[Chaos Test] for State APIs"

describe("demo.mjs soak", () => {
  test(
    "3 minutes, seed 1815: every fault kind at least once, the four apps audited clean",
    { timeout: 420_000 },
    async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "soak-test-"));
      try {
        const run = await runDemo("soak", ["--duration", "3m", "--seed", String(SEED), "--out", out, "--json"]);
        const tail = run.stderr.split("\n").slice(-40).join("\n");
        expect(run.code, tail).toBe(0);
        const result = JSON.parse(run.stdout);
        expect(result.seed).toBe(SEED);
        expect(result.verdict.ok, JSON.stringify(result.verdict.problems)).toBe(true);
        expect(result.verdict.problems).toEqual([]);

        // Every kind the run could do occurred, each applied and cleared without error.
        const kinds = new Set(result.faults.map((/** @type {any} */ f) => f.kind));
        const expected = ["redis-sigterm", "redis-sigkill", "redis-sigstop", "daprd-kill"];
        if (result.network) expected.push("refuse", "hang", "slow", "reset", "flaky", "cut");
        for (const k of expected) expect(kinds.has(k), `${k} occurred`).toBe(true);
        for (const f of result.faults) expect(f.error, `#${f.n} ${f.kind}`).toBeUndefined();

        // The four rows, each saving, each saving again after every cluster of faults.
        expect(result.apps.map((/** @type {any} */ a) => a.appId)).toEqual(SOAK_STYLES.map(appIdOf));
        for (const a of result.apps) {
          expect(a.saved, a.appId).toBeGreaterThan(20);
          expect(a.first, a.appId).toBe(1);
          expect(a.last, a.appId).toBe(a.saved); // 1..n: no gap, no repeat
          expect(a.exitedByItself, a.appId).toBeUndefined();
        }
        const restarts = result.apps.flatMap((/** @type {any} */ a) => a.daprdRestarts);
        expect(restarts.length).toBeGreaterThan(0);
        for (const r of restarts) expect(r.readyAt, JSON.stringify(r)).toBeGreaterThan(r.at);
        for (const c of result.verdict.clusters)
          for (const s of Object.values(c.recoveryS)) expect(s, JSON.stringify(c)).not.toBeNull();
        // Redis was read during the run, not only at the end; memory was sampled for every process.
        expect(result.checks.filter((/** @type {any} */ c) => c.label === "checkpoint").length).toBeGreaterThan(0);
        expect(result.memory.length).toBe(2 * SOAK_STYLES.length + 1);

        // The report's three files, the schedule printed before the run.
        for (const f of ["soak.md", "soak.json", "soak.svg"]) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
        expect(fs.readFileSync(path.join(out, "soak.md"), "utf8")).toContain(`seed ${SEED}`);
        expect(run.stderr).toMatch(/#\s+at\s+for\s+lane\s+fault/);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
