// @ts-check
// The soak's own logic: the seeded schedule and the checker, fed in-memory
// fakes of what a run collects (no daprd, no Redis here: tools/e2e/soak.int.spec.mjs has those).
import { describe, expect, it } from "vitest";
import { LANES, SENTINEL_KINDS, faultWindow, makeSchedule, parseDuration, prng } from "./schedule.mjs";
import { clusters, faultsAt, judge, worstByKind } from "./checker.mjs";

const ALL_KINDS = Object.values(LANES).flat();
const TARGETS = ["soak-sdk", "soak-sdk-grpc", "soak-http", "soak-grpc"];

describe("prng", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = prng(42);
    const b = prng(42);
    const c = prng(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe("makeSchedule", () => {
  it("replays the same schedule for the same seed, another for another seed", () => {
    const one = makeSchedule({ seed: 7, durationS: 600, targets: TARGETS });
    expect(makeSchedule({ seed: 7, durationS: 600, targets: TARGETS })).toEqual(one);
    expect(makeSchedule({ seed: 8, durationS: 600, targets: TARGETS }).faults).not.toEqual(one.faults);
  });

  it.each([180, 600, 3600])("a %i s run has every kind at least once, inside the fault window", (durationS) => {
    for (const seed of [1, 2, 3, 99, 123456]) {
      const s = makeSchedule({ seed, durationS, targets: TARGETS });
      const kinds = new Set(s.faults.map((f) => f.kind));
      expect([...kinds].sort()).toEqual([...ALL_KINDS].sort());
      const { fromS, toS } = faultWindow(durationS);
      for (const f of s.faults) {
        expect(f.atS).toBeGreaterThanOrEqual(fromS);
        expect(f.atS + f.forS).toBeLessThanOrEqual(toS + 0.1);
        expect(f.forS).toBeGreaterThanOrEqual(1);
        expect(f.forS).toBeLessThanOrEqual(60);
      }
      expect(s.faults.map((f) => f.n)).toEqual(s.faults.map((_, i) => i + 1));
    }
  });

  it("never overlaps two faults of one lane, and does overlap faults of different lanes", () => {
    let crossLane = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const { faults } = makeSchedule({ seed, durationS: 3600, targets: TARGETS });
      for (const a of faults) {
        for (const b of faults) {
          if (a.n >= b.n) continue;
          const overlap = a.atS < b.atS + b.forS && b.atS < a.atS + a.forS;
          if (a.lane === b.lane) expect(overlap, `#${a.n} and #${b.n} (${a.lane})`).toBe(false);
          else if (overlap) crossLane++;
        }
      }
    }
    expect(crossLane).toBeGreaterThan(0);
  });

  it("with --redis sentinel's lanes: failovers and daprd kills, each at least once, nothing else", () => {
    const s = makeSchedule({ seed: 3, durationS: 180, lanes: { redis: SENTINEL_KINDS, daprd: LANES.daprd } });
    expect([...new Set(s.faults.map((f) => f.kind))].sort()).toEqual(["daprd-kill", "failover"]);
  });

  it("gives every daprd-kill a target from the apps, and a long run many faults", () => {
    const s = makeSchedule({ seed: 5, durationS: 3600, targets: TARGETS });
    const kills = s.faults.filter((f) => f.kind === "daprd-kill");
    expect(kills.length).toBeGreaterThan(10);
    for (const k of kills) expect(TARGETS).toContain(k.target);
    expect(s.faults.length).toBeGreaterThan(100);
  });

  it("draws each lane from its own stream: leaving a lane out does not change the others", () => {
    const all = makeSchedule({ seed: 11, durationS: 900 });
    const noNet = makeSchedule({ seed: 11, durationS: 900, lanes: { redis: LANES.redis, daprd: LANES.daprd } });
    const strip = (/** @type {typeof all.faults} */ fs) =>
      fs.filter((f) => f.lane !== "network").map(({ n: _n, ...f }) => f);
    expect(strip(noNet.faults)).toEqual(strip(all.faults));
  });
});

describe("parseDuration", () => {
  it.each([
    ["90", 90],
    ["90s", 90],
    ["3m", 180],
    ["1h", 3600],
    ["1h30m", 5400],
  ])("%s = %i s", (text, s) => expect(parseDuration(text)).toBe(s));
  it.each(["", "abc", "1d", "-5"])("refuses %j", (text) => expect(parseDuration(text)).toBeUndefined());
});

// ---- the checker, on in-memory fakes of a run ----

/** A fake app run that saved ids 1..n, one every 0.5 s from t=1. @param {string} appId @param {number[]} ids */
const fakeApp = (appId, ids) => ({
  appId,
  style: "fake",
  saves: ids.map((id, i) => ({ id, at: 1 + i * 0.5 })),
  daprdRestarts: /** @type {import("./checker.mjs").DaprdRestart[]} */ ([]),
});
/** A fake Redis read holding exactly what each app saved, as the apps store it. @param {ReturnType<typeof fakeApp>[]} apps */
const fakeRead = (apps, at = 100, label = "final") => ({
  at,
  label,
  apps: Object.fromEntries(
    apps.map((a) => {
      const saved = a.saves.map((s) => s.id);
      /** @type {Map<number, string | null>} */
      const stored = new Map(saved.map((id) => [id, JSON.stringify({ orderId: String(id) })]));
      return [a.appId, { saved, stored }];
    }),
  ),
});
const range = (/** @type {number} */ a, /** @type {number} */ b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
/** @type {import("./checker.mjs").DoneFault[]} */
const FAULTS = [
  { n: 1, lane: "redis", kind: "redis-sigkill", startS: 10, endS: 20 },
  { n: 2, lane: "network", kind: "slow", startS: 15, endS: 25 },
  { n: 3, lane: "network", kind: "cut", startS: 40, endS: 45 },
];

describe("judge (checker) on fake runs", () => {
  it("passes a clean run and measures recovery from the end of each cluster of faults", async () => {
    const apps = [fakeApp("a", range(1, 150)), fakeApp("b", range(1, 150))];
    const v = await judge({ apps, faults: FAULTS, checks: [fakeRead(apps)], boundS: 30, endS: 80 });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.clusters.map((c) => [c.startS, c.endS])).toEqual([
      [10, 25],
      [40, 45],
    ]);
    expect(v.clusters[0]?.recoveryS.a).toBeCloseTo(0.5);
    expect(v.worst["redis-sigkill"]?.count).toBe(1);
    expect(v.worst.slow?.worstS).toBeCloseTo(0.5);
    expect(v.worst.slow?.stallS).toBeCloseTo(0.5);
  });

  it("fails on a gap, naming the order, the app and the faults active then", async () => {
    const apps = [fakeApp("a", [...range(1, 30), ...range(32, 100)])];
    const v = await judge({ apps, faults: FAULTS, checks: [], boundS: 30, endS: 60 });
    expect(v.ok).toBe(false);
    const p = v.problems.find((x) => x.what === "gap");
    expect(p?.order).toBe(31);
    expect(p?.appId).toBe("a");
    // order 32 was saved at 1 + 30 * 0.5 = 16 s: while #1 and #2 were active
    expect(p?.faults).toEqual(["#1 redis-sigkill", "#2 slow"]);
    expect(p?.text).toMatch(/^a: order 31 skipped at 16\.0 s; faults active then: #1 redis-sigkill, #2 slow$/);
  });

  it("fails on a repeat", async () => {
    const apps = [fakeApp("a", [...range(1, 50), 50, ...range(51, 100)])];
    const v = await judge({ apps, faults: [], checks: [], boundS: 30, endS: 60 });
    expect(v.problems.map((p) => [p.what, p.order])).toEqual([["repeat", 50]]);
  });

  it("fails on a value that differs in Redis, once though two reads saw it", async () => {
    const apps = [fakeApp("a", range(1, 100))];
    const reads = [fakeRead(apps, 50, "checkpoint"), fakeRead(apps, 90)];
    for (const r of reads) r.apps.a?.stored.set(7, JSON.stringify({ orderId: "8" }));
    const v = await judge({ apps, faults: FAULTS, checks: reads, boundS: 30, endS: 60 });
    expect(v.problems.map((p) => [p.what, p.order])).toEqual([["wrong", 7]]);
    expect(v.problems[0]?.text).toContain('stored as "{\\"orderId\\":\\"8\\"}" at the checkpoint read');
  });

  it("fails on a lost order (reported saved, absent from Redis)", async () => {
    const apps = [fakeApp("a", range(1, 100)), fakeApp("b", range(1, 100))];
    const read = fakeRead(apps);
    read.apps.b?.stored.set(23, null);
    const v = await judge({ apps, faults: FAULTS, checks: [read], boundS: 30, endS: 60 });
    expect(v.problems.map((p) => [p.appId, p.what, p.order])).toEqual([["b", "missing", 23]]);
    expect(v.problems[0]?.faults).toEqual(["#1 redis-sigkill"]); // saved at 12 s, before #2 began
  });

  it("fails when an app exits by itself, and when one stalls past the bound", async () => {
    const exited = { ...fakeApp("a", range(1, 100)), exitedByItself: { at: 51, code: 1, signal: null } };
    // b saves nothing between 12 s and 80 s: the faults cleared at 25 s and 45 s
    const stalled = { ...fakeApp("b", range(1, 23)), saves: [...fakeApp("b", range(1, 23)).saves, { id: 24, at: 80 }] };
    const v = await judge({ apps: [exited, stalled], faults: FAULTS, checks: [], boundS: 30, endS: 90 });
    expect(v.problems.map((p) => [p.appId, p.what])).toEqual([
      ["a", "exit"],
      ["b", "stall"],
      ["b", "stall"],
    ]);
    expect(v.worst.cut?.worstS).toBeNull();
    expect(v.worst.cut?.stallS).toBeCloseTo(80 - 12); // b saved order 23 at 12 s, then nothing until 80 s
  });

  it("fails a daprd restart that never became ready, passes one that did and was followed by a save", async () => {
    const a = fakeApp("a", range(1, 100));
    a.daprdRestarts.push({ at: 20, readyAt: 21 }, { at: 40, error: "daprd did not become ready" });
    const v = await judge({ apps: [a], faults: [], checks: [], boundS: 30, endS: 60 });
    expect(v.problems.map((p) => [p.what, p.at])).toEqual([["daprd", 40]]);
  });
});

describe("checker helpers", () => {
  it("faultsAt names the last fault before a moment when none is active", () => {
    expect(faultsAt(FAULTS, 30)).toEqual(["none (last: #2 slow, cleared 5.0 s before)"]);
    expect(faultsAt([], 30)).toEqual(["none"]);
  });
  it("clusters chain overlapping faults and keep apart ones that only follow", () => {
    const cs = clusters([
      { n: 1, lane: "x", kind: "k", startS: 0, endS: 10 },
      { n: 2, lane: "y", kind: "k", startS: 5, endS: 12 },
      { n: 3, lane: "x", kind: "k", startS: 11, endS: 20 },
      { n: 4, lane: "x", kind: "k", startS: 21, endS: 22 },
    ]);
    expect(cs.map((c) => c.map((f) => f.n))).toEqual([[1, 2, 3], [4]]);
  });
  it("worstByKind counts each fault and keeps the worst app", () => {
    const w = worstByKind([
      { startS: 0, endS: 1, faults: [], kinds: ["a", "a"], recoveryS: { x: 1, y: 3 }, stallS: { x: 9, y: 4 } },
      { startS: 5, endS: 6, faults: [], kinds: ["a", "b"], recoveryS: { x: 2, y: 1 }, stallS: { x: 2, y: 7 } },
    ]);
    expect(w).toEqual({
      a: { count: 3, worstS: 3, app: "y", stallS: 9, stallApp: "x" },
      b: { count: 1, worstS: 2, app: "x", stallS: 7, stallApp: "y" },
    });
  });
});

describe("the network lane", () => {
  it("draws only faults of the lab's catalogue that act on the proxy", async () => {
    const { fault } = await import("../../stack/faults.mjs");
    for (const kind of LANES.network) expect(fault(kind).via, kind).toBe("proxy");
  });
});

describe("memory summary", () => {
  it("slopePerHour: a steady climb of 1 MB a minute is 60 MB/h; flat is 0; too few points is null", async () => {
    const { slopePerHour } = await import("./memory.mjs");
    const climb = Array.from({ length: 10 }, (_, i) => ({ at: i * 60, mb: 100 + i }));
    expect(slopePerHour(climb)).toBe(60);
    expect(slopePerHour(climb.map((p) => ({ ...p, mb: 100 })))).toBe(0);
    expect(slopePerHour(climb.slice(0, 2))).toBeNull();
  });
  it("summarize: the slope is of the process running at the end (a restarted daprd starts low again)", async () => {
    const { summarize } = await import("./memory.mjs");
    const first = Array.from({ length: 5 }, (_, i) => ({ at: i * 60, pid: 1, mb: 100 + 10 * i }));
    const second = Array.from({ length: 5 }, (_, i) => ({ at: 300 + i * 60, pid: 2, mb: 50 }));
    const m = summarize({ name: "fake daprd", samples: [...first, ...second] });
    expect(m).toMatchObject({ startMB: 100, endMB: 50, peakMB: 140, slopeMBperH: 0, processes: 2, samples: 10 });
  });
});

describe("countsOverTime", () => {
  it("keeps a stall flat and exact: the last save before it and the first after it", async () => {
    const { countsOverTime } = await import("./run.mjs");
    const saves = [1, 1.5, 2, 2.5, 12, 12.5].map((at) => ({ at }));
    expect(countsOverTime(saves, 13)).toEqual([
      [0, 0],
      [1, 1],
      [2, 3],
      [2.5, 4],
      [12, 5],
      [13, 6],
    ]);
  });
});

describe("parseSoakArgs", () => {
  it("takes the flags, and refuses bad ones with a usage error (exit 2) naming them", async () => {
    const { parseSoakArgs } = await import("./args.mjs");
    const ok = parseSoakArgs([
      "--duration",
      "1h",
      "--seed",
      "42",
      "--variants",
      "http,grpc",
      "--redis",
      "sentinel",
      "--durability",
      "safe",
    ]);
    expect(ok).toMatchObject({
      durationS: 3600,
      seed: 42,
      styles: ["http", "grpc"],
      redis: "sentinel",
      durability: "safe",
    });
    expect(parseSoakArgs([]).durationS).toBe(600);
    /** @type {[string[], RegExp][]} */
    const bad = [
      [["--duration", "soon"], /--duration "soon" is not a duration/],
      [["--duration", "30s"], /too short/],
      [["--seed=-1"], /--seed must be a whole number/],
      [["--seed", "1.5"], /--seed must be a whole number/],
      [["--variants", "sdk,java"], /--variants: unknown "java"/],
      [["--durability", "safe"], /--durability applies to --redis sentinel only/],
      [["--redis", "docker"], /Unknown --redis "docker"/],
    ];
    for (const [args, msg] of bad) {
      let err;
      try {
        parseSoakArgs(args);
      } catch (e) {
        err = /** @type {any} */ (e);
      }
      expect(err?.message, args.join(" ")).toMatch(msg);
      expect(err?.exitCode, args.join(" ")).toBe(2);
    }
  });
});
