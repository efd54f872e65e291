// @ts-check
// The real failover: a Redis primary, a replica and three Sentinels of the
// test's own on free loopback ports, the http variant beside a real daprd
// that finds the primary through the Sentinels, three SIGKILLs of the
// primary. Asserts what must hold, never how fast it was (the demo reports
// the times).
import { describe, expect, test } from "vitest";
import { failoverVariant } from "../demos/failover/flow.mjs";
import { runDemo } from "./support/test-support.mjs";

const ROUNDS = 3;

describe(`failover: http-app, ${ROUNDS} rounds of SIGKILL to the Redis primary under Sentinel`, () => {
  test("every round: the replica is promoted, daprd follows, no order lost, repeated or skipped; the old primary rejoins", async () => {
    const r = await failoverVariant({ variant: "http", rounds: ROUNDS, quiet: true });
    const failed = [...r.rows, ...r.rounds.flatMap((x) => x.rows)].filter((x) => !x.ok && !x.target);
    expect(failed).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.rounds).toHaveLength(ROUNDS);

    for (const [i, round] of r.rounds.entries()) {
      // With one replica, the new primary can only be the old replica.
      expect(round.newPrimary, `round ${round.round}`).toBe(round.oldReplicas[0]);
      expect(round.next, `round ${round.round}: next order`).toBe(/** @type {number} */ (round.lastBefore) + 1);
      expect(round.t.switch, `round ${round.round}: +switch-master seen`).toBeTypeOf("number");
      expect(round.sequence).toEqual({ repeated: [], skipped: [] });
      // Audited on the new primary and on the old primary, now its replica.
      expect(round.audit.map((a) => [a.role, a.port])).toEqual([
        ["primary", round.newPrimary],
        ["replica", round.oldPrimary],
      ]);
      for (const a of round.audit) expect(a.missing + a.wrong, `round ${round.round}: ${a.role} ${a.port}`).toBe(0);
      // The old primary really rejoined: the next round kills the node promoted here and promotes it back.
      const next = r.rounds[i + 1];
      if (next) {
        expect(next.oldPrimary).toBe(round.newPrimary);
        expect(next.newPrimary).toBe(round.oldPrimary);
      }
    }
    expect(r.orders.saved).toBeGreaterThan(ROUNDS * 4);
    expect(r.orders).toMatchObject({ lost: 0, repeated: 0, skipped: 0, first: 1, last: r.orders.saved });
  });
});

/** @param {string[]} args */
const demo = (args) => runDemo("failover", args);

describe("demo.mjs failover: flags", () => {
  test("--help prints the usage and exits 0", async () => {
    const r = await demo(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: npx zx tools/demo.mjs failover");
  });

  test("a bad flag exits 2 naming it, with the usage and no stack trace", async () => {
    const r = await demo(["--rounds", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--rounds must be a whole number from 1 to 100, got "0".');
    expect(r.stderr).toContain("Usage: npx zx tools/demo.mjs failover");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
