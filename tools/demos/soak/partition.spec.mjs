// @ts-check
// The partition's own logic: the iptables rules' text, when a partition cannot be made, the
// Sentinel configs that make it possible, the schedule with --partition, and how the checker
// counts a lost order against the docs' promise (in-memory fakes; the real partition is in
// tools/e2e/partition.int.spec.mjs).
import { describe, expect, it } from "vitest";
import { PARTITION_SOURCE, partitionBlocker, partitionRules } from "../../stack/partition.mjs";
import { renderRedisConf, renderSentinelConf } from "../../stack/sentinel-config.mjs";
import { PARTITION_KINDS, makeSchedule } from "./schedule.mjs";
import { judge, partitionPromise } from "./checker.mjs";
import { idRanges } from "./partition-report.mjs";
import { parseSoakArgs } from "./args.mjs";

describe("partitionRules", () => {
  it("drops 127.0.0.2 → the primary's port and the port → 127.0.0.2 on lo, tagged with the run", () => {
    const tag = ["-m", "comment", "--comment", "dapr-resiliency partition pid 7", "-j", "DROP"];
    expect(partitionRules(40123, "dapr-resiliency partition pid 7")).toEqual([
      [..."INPUT -i lo -p tcp -s 127.0.0.2 -d 127.0.0.1 --dport 40123".split(" "), ...tag],
      [..."INPUT -i lo -p tcp -s 127.0.0.1 --sport 40123 -d 127.0.0.2".split(" "), ...tag],
    ]);
  });

  it("keeps the tag one argument (iptables gets it as one, spaces and all)", () => {
    const [rule] = partitionRules(1, "a b c");
    expect(rule?.[rule.indexOf("--comment") + 1]).toBe("a b c");
  });
});

describe("partitionBlocker", () => {
  it.each([
    [{ platform: "darwin", uid: 0 }, /needs Linux's iptables \(this is darwin\)/],
    [{ platform: "linux", uid: 1000 }, /needs root/],
    [{ platform: "linux", uid: 0, iptables: false }, /iptables, which is not installed/],
  ])("%j: %s", (here, why) => expect(partitionBlocker(here)).toMatch(why));

  it("none on Linux as root with iptables", () => {
    expect(partitionBlocker({ platform: "linux", uid: 0, iptables: true })).toBeUndefined();
  });
});

describe("the configs of a partitionable cluster", () => {
  const node = renderRedisConf({ port: 7001, dir: "/d", partitionable: true });
  const sentinel = renderSentinelConf({
    port: 7011,
    dir: "/d",
    primary: { host: "127.0.0.1", port: 7001 },
    partitionable: true,
  });

  it("links from 127.0.0.2, listening on 127.0.0.1 only and announcing it", () => {
    for (const conf of [node, sentinel]) {
      expect(conf).toContain(`bind-source-addr ${PARTITION_SOURCE}\n`);
      expect(conf).toContain("bind 127.0.0.1\n");
      expect(conf).toContain("protected-mode no\n"); // protected mode would deny the links from 127.0.0.2
    }
    expect(node).toContain("replica-announce-ip 127.0.0.1\n");
    expect(sentinel).toContain("sentinel announce-ip 127.0.0.1\n");
  });

  it("and none of it otherwise", () => {
    const plain = renderRedisConf({ port: 7001, dir: "/d" });
    expect(plain).toContain("protected-mode yes\n");
    expect(plain).not.toMatch(/bind-source-addr|announce-ip/);
    expect(renderSentinelConf({ port: 7011, dir: "/d", primary: { host: "127.0.0.1", port: 7001 } })).not.toMatch(
      /bind-source-addr|announce-ip|protected-mode/,
    );
  });
});

describe("the schedule with --partition", () => {
  it("has partitions only, one lane, so they never overlap, at least one per 75 s of the window", () => {
    const s = makeSchedule({ seed: 1818, durationS: 300, lanes: { redis: PARTITION_KINDS } });
    expect(s.faults.length).toBe(3);
    expect(new Set(s.faults.map((f) => f.kind))).toEqual(new Set(["partition"]));
    for (const [i, f] of s.faults.entries()) {
      const next = s.faults[i + 1];
      if (next) expect(f.atS + f.forS).toBeLessThan(next.atS);
    }
  });
});

describe("parseSoakArgs: --partition and --consistency", () => {
  it("takes them with --redis sentinel", () => {
    expect(parseSoakArgs(["--redis", "sentinel", "--partition", "--consistency", "strong"])).toMatchObject({
      partition: true,
      consistency: "strong",
    });
    expect(parseSoakArgs([])).toMatchObject({ partition: false, consistency: undefined });
  });

  it.each([
    [["--partition"], /--partition applies to --redis sentinel only/],
    [["--redis", "sentinel", "--consistency", "high"], /Unknown --consistency "high"/],
  ])("refuses %j with exit 2", (args, msg) => {
    expect(() => parseSoakArgs(args)).toThrow(msg);
    try {
      parseSoakArgs(args);
    } catch (e) {
      expect(/** @type {any} */ (e).exitCode).toBe(2);
    }
  });
});

// ---- the checker with partitions ----

/**
 * Judges a run of one app that saved 1..80 every 0.5 s from t=1, Redis holding all but `lost`, through PARTITION.
 * @param {number[]} lost @param {import("../../stack/sentinel-config.mjs").Durability} [durability] undefined: no --partition
 */
function judgeLost(lost, durability) {
  const { apps, checks } = run(80, lost);
  const partition = durability ? partitionPromise(durability) : undefined;
  return judge({ apps, checks, faults: [PARTITION], boundS: 80, endS: 100, partition });
}

/** An app that saved 1..n every 0.5 s from t=1; Redis holds all but `lost`. @param {number} n @param {number[]} lost */
function run(n, lost) {
  const saves = Array.from({ length: n }, (_, i) => ({ id: i + 1, at: 1 + i * 0.5 }));
  const saved = saves.map((s) => s.id);
  /** @type {Map<number, string | null>} */
  const stored = new Map(saved.map((id) => [id, lost.includes(id) ? null : JSON.stringify({ orderId: String(id) })]));
  return {
    apps: [{ appId: "soak-http", style: "http", saves, daprdRestarts: [] }],
    checks: [{ at: 100, label: "final", apps: { "soak-http": { saved, stored } } }],
  };
}
/** A partition from 10 s to 30 s (orders 19… are saved from 10 s on). */
const PARTITION = { n: 1, lane: "redis", kind: "partition", startS: 10, endS: 30 };

describe("judge with partitions", () => {
  it("async: an order lost in a partition is a finding with its id, not a problem", async () => {
    const v = await judgeLost([20, 21], "async");
    expect(v.ok).toBe(true);
    expect(v.losses).toEqual([
      { appId: "soak-http", order: 20, at: 10.5, fault: "#1 partition", afterCutS: 0.5 },
      { appId: "soak-http", order: 21, at: 11, fault: "#1 partition", afterCutS: 1 },
    ]);
    expect(v.partitions?.map((p) => p.lost)).toEqual([{ "soak-http": [20, 21] }]);
  });

  it("safe: a loss within 4 s of the cut is a finding, a later one a problem naming the order and the partition", async () => {
    const v = await judgeLost([20, 29], "safe"); // 29 was saved 5 s after the cut
    expect(v.ok).toBe(false);
    expect(v.losses?.map((l) => l.order)).toEqual([20]);
    expect(v.problems.map((p) => p.text)).toEqual([
      "soak-http: order 29 reported saved, missing from Redis at the final read (100.0 s); saved at 15.0 s; faults active then: #1 partition",
    ]);
  });

  it("any mode: an order lost outside every partition is a problem", async () => {
    const v = await judgeLost([5], "async");
    expect(v.ok).toBe(false);
    expect(v.losses).toEqual([]);
    expect(v.problems[0]?.order).toBe(5);
  });

  it("without --partition, a loss in a fault named partition is still a problem", async () => {
    const v = await judgeLost([20]);
    expect(v.ok).toBe(false);
    expect(v.losses).toBeUndefined();
  });
});

describe("idRanges", () => {
  it.each([
    [[42, 43, 44, 50], "42–44, 50"],
    [[7, 3], "3, 7"],
    [[], ""],
  ])("%j → %j", (ids, text) => expect(idRanges(ids)).toBe(text));
});
