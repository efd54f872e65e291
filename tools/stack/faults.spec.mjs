// @ts-check
// The fault catalogue's own logic: names, lists, what each fault does to an
// in-memory fake proxy (a stand-in that records calls; the real Toxiproxy is
// in e2e/toxiproxy.int.spec.mjs), and the expectations that follow a fault.
import { describe, expect, it } from "vitest";
import { UsageError } from "../cli/errors.mjs";
import { FAULTS, FAULT_NAMES, expectations, fault, parseFaultList } from "./faults.mjs";

/** An in-memory fake of a Toxiproxy proxy: it records what was asked of it. */
function fakeProxy() {
  /** @type {any[]} */
  const toxics = [];
  const calls = /** @type {string[]} */ ([]);
  return {
    toxics,
    calls,
    enabled: true,
    async addToxic(/** @type {any} */ t) {
      toxics.push(t);
      calls.push(`add ${t.type}`);
      return t.type;
    },
    async clearToxics() {
      toxics.length = 0;
      calls.push("clear");
    },
    async setEnabled(/** @type {boolean} */ on) {
      this.enabled = on;
      calls.push(on ? "enable" : "disable");
    },
  };
}

const SEED = { timeoutMs: undefined, tripAfter: 5, retryEveryMs: 5_000, breaker: "simpleCB" };
const WITH_TIMEOUT = { ...SEED, timeoutMs: 1_000 };

describe("the fault catalogue", () => {
  it("has the issue's faults, each saying what it stands for", () => {
    for (const n of ["stop", "refuse", "hang", "slow", "reset", "flaky", "cut", "failover"])
      expect(FAULT_NAMES).toContain(n);
    for (const f of FAULTS) {
      expect(f.does.length, f.name).toBeGreaterThan(20);
      expect(f.standsFor.length, f.name).toBeGreaterThan(20);
    }
  });

  it("an unknown name is a usage error listing every valid one", () => {
    let err;
    try {
      fault("freeze");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const text = `${/** @type {UsageError} */ (err).message} ${/** @type {UsageError} */ (err).fix}`;
    expect(text).toMatch(/Unknown fault "freeze"/);
    for (const n of FAULT_NAMES) expect(text).toContain(n);
  });

  it("parses a list, refuses empty items and faults the command cannot run", () => {
    expect(parseFaultList("hang, slow").map((f) => f.name)).toEqual(["hang", "slow"]);
    expect(parseFaultList("all", ["stop", "hang"]).map((f) => f.name)).toEqual(["stop", "hang"]);
    expect(() => parseFaultList("hang,,slow")).toThrow(UsageError);
    expect(() => parseFaultList("failover", ["stop", "hang"])).toThrow(/not available/);
  });

  it("every proxy fault leaves the proxy clean and enabled after clear", async () => {
    for (const f of FAULTS.filter((x) => x.via === "proxy")) {
      const p = fakeProxy();
      await f.apply({ proxy: p });
      expect(p.toxics.length > 0 || !p.enabled, f.name).toBe(true);
      await f.clear({ proxy: p });
      expect(p.toxics, f.name).toEqual([]);
      expect(p.enabled, f.name).toBe(true);
    }
  });

  it("hang holds connections open (timeout 0) and flaky hits a share of connections", async () => {
    const hang = fakeProxy();
    await fault("hang").apply({ proxy: hang });
    expect(hang.toxics).toEqual([expect.objectContaining({ type: "timeout", attributes: { timeout: 0 } })]);
    const flaky = fakeProxy();
    await fault("flaky").apply({ proxy: flaky });
    expect(flaky.toxics[0].toxicity).toBeGreaterThan(0);
    expect(flaky.toxics[0].toxicity).toBeLessThan(1);
  });

  it("stop stops the Redis and starts it again", async () => {
    const calls = /** @type {string[]} */ ([]);
    const redis = { stop: async () => void calls.push("stop"), start: async () => void calls.push("start") };
    await fault("stop").apply({ redis });
    await fault("stop").clear({ redis });
    expect(calls).toEqual(["stop", "start"]);
  });

  it("reject makes the Redis refuse writes (min-replicas-to-write 1) and puts back the setting it found", async () => {
    // An in-memory fake of a Redis's CONFIG (the real one: the lab's integration test).
    const config = new Map([["min-replicas-to-write", "2"]]);
    const sent = /** @type {string[][]} */ ([]);
    const client = async () =>
      /** @type {any} */ ({
        sendCommand: async (/** @type {string[]} */ args) => {
          sent.push(args);
          if (args[1] === "GET") return { [String(args[2])]: config.get(String(args[2])) ?? "0" }; // RESP3's map
          config.set(String(args[2]), String(args[3]));
          return "OK";
        },
        quit: async () => undefined,
      });
    const redis = { stop: async () => undefined, start: async () => undefined, client };
    const target = { redis };
    await fault("reject").apply(target);
    expect(config.get("min-replicas-to-write")).toBe("1");
    await fault("reject").clear(target);
    expect(config.get("min-replicas-to-write")).toBe("2");
    await fault("reject").clear(target); // twice: nothing more
    expect(sent.filter((a) => a[1] === "SET")).toHaveLength(2);
    await expect(fault("reject").apply({})).rejects.toThrow(/needs a client/);
  });

  it("failover kills the primary and brings it back through the cluster", async () => {
    const calls = /** @type {string[]} */ ([]);
    const cluster = {
      killPrimary: async () => void calls.push("kill"),
      restoreOldPrimary: async () => void calls.push("restore"),
    };
    await fault("failover").apply({ cluster });
    await fault("failover").clear({ cluster });
    expect(calls).toEqual(["kill", "restore"]);
    await expect(fault("failover").apply({})).rejects.toThrow(/Sentinel cluster/);
  });

  it("a proxy fault without a proxy says so instead of doing nothing", async () => {
    await expect(fault("reset").apply({})).rejects.toThrow(/needs the proxy/);
  });
});

describe("expectations follow the fault", () => {
  it("slow under the timeout fails no call and does not demand the breaker", () => {
    const e = expectations(fault("slow"), WITH_TIMEOUT, 20_000);
    expect(e).toMatchObject({ callsFail: false, breakerOpens: false, appStalls: false });
    expect(expectations(fault("slow"), SEED, 20_000).breakerOpens).toBe(false);
  });

  it("crawl fails calls only when a timeout is shorter than its latency", () => {
    expect(expectations(fault("crawl"), SEED, 20_000).callsFail).toBe(false);
    expect(expectations(fault("crawl"), WITH_TIMEOUT, 20_000).callsFail).toBe(true);
  });

  it("refuse under the seed opens the breaker when the fault outlasts 5 failed attempts (about 36 s), not in a short one", () => {
    expect(expectations(fault("refuse"), SEED, 45_000).breakerOpens).toBe(true);
    expect(expectations(fault("refuse"), SEED, 38_000).breakerOpens).toBeUndefined();
    expect(expectations(fault("refuse"), SEED, 15_000).breakerOpens).toBe(false);
  });

  it("hang without a timeout stalls the app; its calls fail only by the client's read timeout, too slowly to trip", () => {
    const e = expectations(fault("hang"), SEED, 45_000);
    expect(e).toMatchObject({ appStalls: true, callsFail: true, breakerOpens: false });
    expect(e.why).toMatch(/no timeout policy/);
    expect(expectations(fault("hang"), { ...WITH_TIMEOUT, retryEveryMs: 200, tripAfter: 3 }, 15_000).breakerOpens).toBe(
      true,
    );
  });

  it("reject's attempts are the client's quick retries: the seed's breaker opens sooner than under refuse", () => {
    const reject = expectations(fault("reject"), SEED, 40_000);
    expect(reject.callsFail).toBe(true);
    expect(reject.breakerOpens).toBe(true);
    expect(expectations(fault("refuse"), SEED, 40_000).breakerOpens).not.toBe(true);
  });

  it("failover demands neither a daprd retry nor an open breaker, but orders through it", () => {
    const e = expectations(fault("failover"), SEED, 45_000);
    expect(e.callsFail).toBeUndefined();
    expect(e.breakerOpens).toBeUndefined();
    expect(e.appStalls).toBe(false);
    expect(e.why).toMatch(/Sentinels name the new primary/);
  });

  it("flaky and cut leave the breaker undecided; no breaker in the policy: never", () => {
    expect(expectations(fault("flaky"), SEED, 60_000).breakerOpens).toBeUndefined();
    expect(expectations(fault("cut"), SEED, 60_000).breakerOpens).toBeUndefined();
    expect(expectations(fault("refuse"), { ...SEED, breaker: undefined }, 60_000).breakerOpens).toBe(false);
  });
});
