// @ts-check
// Unit tests for the failover demo's pure parts: the config files it writes,
// the parsers for what Redis and Sentinel answer, its flags, and the report's
// arithmetic. The processes themselves are covered by failover.int.spec.mjs.
import { describe, expect, test } from "vitest";
import {
  MASTER_NAME,
  SENTINEL_TIMING,
  commandCalls,
  parseInfo,
  parseMasterAddr,
  parseSentinelLine,
  parseSentinelTable,
  renderRedisConf,
  renderSentinelConf,
  replicasOf,
  sentinelSeesHealthy,
  storeMetadata,
} from "../../stack/sentinel-config.mjs";
import { parseFailoverArgs } from "./args.mjs";
import { Verdict, markStats, timelineText } from "./report.mjs";
import { UsageError } from "../../cli/errors.mjs";
import { auditNode, daprdFacts, judgeStored } from "./audit.mjs";
import { sequenceCheck } from "../../stack/recorder.mjs";
import { resiliencyLines } from "../../stack/daprd-log.mjs";

/** @param {string} text */
const directives = (text) => text.split("\n").filter((l) => l && !l.startsWith("#"));

describe("renderRedisConf", () => {
  test("a primary: loopback only, its own dir, no replicaof, default (async) durability", () => {
    const conf = directives(renderRedisConf({ port: 7001, dir: "/tmp/x/node-7001" }));
    expect(conf).toContain("port 7001");
    expect(conf).toContain("bind 127.0.0.1");
    expect(conf).toContain("dir /tmp/x/node-7001");
    expect(conf).toContain("appendfsync everysec");
    expect(conf).toContain("repl-diskless-sync-delay 0");
    expect(conf.some((l) => l.startsWith("replicaof"))).toBe(false);
    expect(conf.some((l) => l.startsWith("min-replicas"))).toBe(false);
  });

  test("a replica names its primary; safe durability adds min-replicas and fsync on every write", () => {
    const conf = directives(
      renderRedisConf({
        port: 7002,
        dir: "/d",
        replicaOf: { host: "127.0.0.1", port: 7001 },
        durability: "safe",
        maxLagS: 2,
      }),
    );
    expect(conf).toContain("replicaof 127.0.0.1 7001");
    expect(conf).toContain("min-replicas-to-write 1");
    expect(conf).toContain("min-replicas-max-lag 2");
    expect(conf).toContain("appendfsync always");
  });

  test("a folder with a space is quoted", () => {
    expect(renderRedisConf({ port: 1, dir: "/tmp/a b" })).toContain('dir "/tmp/a b"');
  });
});

describe("renderSentinelConf", () => {
  test("monitors the primary with quorum 2 and the tuned timings, logs to stdout", () => {
    const conf = directives(renderSentinelConf({ port: 26999, dir: "/s", primary: { host: "127.0.0.1", port: 7001 } }));
    expect(conf).toContain("port 26999");
    expect(conf).toContain("bind 127.0.0.1");
    expect(conf).toContain('logfile ""');
    expect(conf).toContain(`sentinel monitor ${MASTER_NAME} 127.0.0.1 7001 2`);
    expect(conf).toContain(`sentinel down-after-milliseconds ${MASTER_NAME} ${SENTINEL_TIMING.downAfterMs}`);
    expect(conf).toContain(`sentinel failover-timeout ${MASTER_NAME} ${SENTINEL_TIMING.failoverTimeoutMs}`);
  });

  test("timings can be overridden", () => {
    const conf = renderSentinelConf({
      port: 1,
      dir: "/s",
      primary: { host: "h", port: 2 },
      quorum: 3,
      downAfterMs: 500,
      failoverTimeoutMs: 4000,
    });
    expect(conf).toContain(`sentinel monitor ${MASTER_NAME} h 2 3`);
    expect(conf).toContain("down-after-milliseconds orders 500");
    expect(conf).toContain("failover-timeout orders 4000");
  });
});

test("storeMetadata: every Sentinel in redisHost, comma-separated, with failover and the master name", () => {
  expect(storeMetadata([26001, 26002, 26003])).toEqual({
    redisHost: "127.0.0.1:26001,127.0.0.1:26002,127.0.0.1:26003",
    failover: "true",
    sentinelMasterName: MASTER_NAME,
  });
});

describe("parsing what Redis and Sentinel answer", () => {
  const INFO = [
    "# Replication",
    "role:master",
    "connected_slaves:2",
    "min_slaves_good_slaves:1",
    "slave0:ip=127.0.0.1,port=7002,state=online,offset=1234,lag=0",
    "slave1:ip=127.0.0.1,port=7003,state=wait_bgsave,offset=0,lag=1",
    "master_repl_offset:1234",
    "",
  ].join("\r\n");

  test("parseInfo reads key:value lines and skips headers", () => {
    const info = parseInfo(INFO);
    expect(info.role).toBe("master");
    expect(info.connected_slaves).toBe("2");
    expect(info["# Replication"]).toBeUndefined();
  });

  test("commandCalls reads one command's count from INFO commandstats (0 when Redis never ran it)", () => {
    const stats =
      "# Commandstats\r\ncmdstat_waitaof:calls=9,usec=1\r\ncmdstat_wait:calls=12,usec=530,usec_per_call=44.17\r\n";
    expect(commandCalls(stats, "wait")).toBe(12);
    expect(commandCalls(stats, "waitaof")).toBe(9);
    expect(commandCalls(stats, "eval")).toBe(0);
  });

  test("replicasOf lists each replica's port, state, offset and lag", () => {
    expect(replicasOf(parseInfo(INFO))).toEqual([
      { ip: "127.0.0.1", port: 7002, state: "online", offset: 1234, lag: 0 },
      { ip: "127.0.0.1", port: 7003, state: "wait_bgsave", offset: 0, lag: 1 },
    ]);
    expect(replicasOf(parseInfo("role:slave\nmaster_port:7001"))).toEqual([]);
  });

  test("parseMasterAddr: [host, port], or undefined for an unknown master (nil) or junk", () => {
    expect(parseMasterAddr(["127.0.0.1", "7002"])).toEqual({ host: "127.0.0.1", port: 7002 });
    expect(parseMasterAddr(null)).toBeUndefined();
    expect(parseMasterAddr(["127.0.0.1"])).toBeUndefined();
    expect(parseMasterAddr(["127.0.0.1", "x"])).toBeUndefined();
  });

  test("parseSentinelLine: the event, and for +switch-master the old and new primary", () => {
    const sw = parseSentinelLine(
      "1234:X 27 Nov 2026 10:00:05.123 # +switch-master orders 127.0.0.1 7001 127.0.0.1 7002",
    );
    expect(sw).toEqual({
      event: "+switch-master",
      detail: "orders 127.0.0.1 7001 127.0.0.1 7002",
      switchTo: { from: 7001, to: 7002 },
    });
    const sdown = parseSentinelLine("1234:X 27 Nov 2026 10:00:04.000 # +sdown master orders 127.0.0.1 7001");
    expect(sdown?.event).toBe("+sdown");
    expect(sdown?.switchTo).toBeUndefined();
    expect(parseSentinelLine("1234:X 27 Nov 2026 10:00:00.000 * Sentinel ID is abc")).toBeUndefined();
    expect(parseSentinelLine("not a sentinel line")).toBeUndefined();
  });
});

describe("parseFailoverArgs", () => {
  test("defaults: sdk, 5 rounds, async, one replica, 500 ms between orders", () => {
    expect(parseFailoverArgs([])).toMatchObject({
      variants: ["sdk"],
      rounds: 5,
      durability: "async",
      replicas: 1,
      intervalMs: 500,
      latency: false,
      json: false,
    });
  });

  test("all variants, rounds, safe durability", () => {
    expect(parseFailoverArgs(["--variant", "all", "--rounds", "3", "--durability", "safe"])).toMatchObject({
      variants: ["sdk", "http", "grpc"],
      rounds: 3,
      durability: "safe",
    });
  });

  test.each([
    [["--variant", "java"], /Unknown --variant "java"/],
    [["--rounds", "0"], /--rounds must be a whole number from 1 to 100, got "0"/],
    [["--rounds", "2.5"], /--rounds must be a whole number/],
    [["--durability", "sync"], /Unknown --durability "sync"/],
    [["--replicas", "3"], /--replicas must be a whole number from 1 to 2/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("refuses %j with a message naming the mistake", (argv, message) => {
    expect(() => parseFailoverArgs(argv)).toThrow(UsageError);
    expect(() => parseFailoverArgs(argv)).toThrow(message);
  });
});

describe("report helpers", () => {
  test("a missed timing target is shown but does not fail the verdict; a missed check does", () => {
    const v = new Verdict("test", { quiet: true });
    v.check("a check", true);
    v.check("a target", false, "12.0 s", { target: true });
    expect(v.ok).toBe(true);
    v.check("another check", false);
    expect(v.ok).toBe(false);
  });

  /** @param {Record<string, number | undefined>} t */
  const round = (t) =>
    /** @type {import("./report.mjs").RoundResult} */ ({
      round: 1,
      oldPrimary: 1,
      oldReplicas: [2],
      newPrimary: 2,
      t,
      attempts: 2,
      daprdRetries: 1,
      breakerOpened: false,
      lastBefore: 4,
      next: 5,
      audit: [],
      sequence: { repeated: [], skipped: [] },
      rows: [],
      ok: true,
    });

  test("markStats: median and worst over the rounds that have the mark", () => {
    const rounds = [round({ nextOrder: 9 }), round({ nextOrder: 7 }), round({ nextOrder: 8 }), round({})];
    expect(markStats(rounds, "nextOrder")).toEqual({ median: 8, max: 9, n: 3 });
    expect(markStats(rounds, "switch")).toBeUndefined();
  });

  test("timelineText puts the marks in time order and says when daprd saw no failure", () => {
    const text = timelineText(
      round({ switch: 2.3, asked: 2.4, firstRetry: 2.8, recovered: 7.8, nextOrder: 8.1, rejoined: 4.0 }),
    );
    expect(text).toBe(
      "kill 0.0 s → +switch-master 2.3 s → Sentinels answer the new primary 2.4 s → daprd's first retry 2.8 s → old primary replicating again 4.0 s → daprd recovered (after 2 attempts) 7.8 s → next order 8.1 s",
    );
    expect(timelineText(round({ switch: 2 }))).toContain("daprd saw no failed call");
  });
});

describe("Sentinel's view of the replicas", () => {
  const row = { port: "7002", flags: "slave", "master-link-status": "ok" };
  test("parseSentinelTable reads node-redis objects and flat RESP2 arrays alike", () => {
    expect(parseSentinelTable([row])).toEqual([row]);
    expect(parseSentinelTable([["port", "7002", "flags", "slave", "master-link-status", "ok"]])).toEqual([row]);
    expect(parseSentinelTable(null)).toEqual([]);
  });

  test("sentinelSeesHealthy: known, not down nor disconnected, link to the primary up", () => {
    expect(sentinelSeesHealthy([row], 7002)).toBe(true);
    expect(sentinelSeesHealthy([row], 7003)).toBe(false);
    expect(sentinelSeesHealthy([{ ...row, flags: "s_down,slave" }], 7002)).toBe(false);
    expect(sentinelSeesHealthy([{ ...row, flags: "slave,disconnected" }], 7002)).toBe(false);
    expect(sentinelSeesHealthy([{ ...row, "master-link-status": "err" }], 7002)).toBe(false);
  });
});

describe("the failover audit", () => {
  test("sequenceCheck finds repeated and skipped ids in one pass", () => {
    expect(sequenceCheck([1, 2, 3, 4])).toEqual({ repeated: [], skipped: [], first: 1, last: 4 });
    expect(sequenceCheck([1, 2, 2, 5])).toEqual({ repeated: [2], skipped: [3, 4], first: 1, last: 5 });
    expect(sequenceCheck([])).toEqual({ repeated: [], skipped: [], first: undefined, last: undefined });
  });

  test("sequenceCheck stays linear: 200 000 ids in seconds, not minutes", () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => i + 1);
    const t0 = performance.now();
    expect(sequenceCheck(ids).repeated).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(2_000); // a quadratic search takes minutes here
  });

  test("judgeStored: the order's own value, nothing, or something else", () => {
    expect(judgeStored(7, JSON.stringify({ orderId: "7" }))).toBe("ok");
    expect(judgeStored(7, null)).toBe("missing");
    expect(judgeStored(7, JSON.stringify({ orderId: "8" }))).toBe("wrong");
    expect(judgeStored(7, "not json")).toBe("wrong");
  });

  test("auditNode reads each id once and sorts them into missing and wrong (in-memory fake client)", async () => {
    /** @type {Map<string, string>} */
    const store = new Map([
      ["order-processor||1", JSON.stringify({ orderId: "1" })],
      ["order-processor||3", JSON.stringify({ orderId: "x" })],
    ]);
    /** @type {string[]} */
    const asked = [];
    const fake = {
      /** @param {string} key */
      hGet: async (key) => {
        asked.push(key);
        return store.get(key) ?? null;
      },
    };
    expect(await auditNode(fake, [1, 2, 3, 3])).toEqual({ missing: [2], wrong: [3] });
    expect(asked).toEqual(["order-processor||1", "order-processor||2", "order-processor||3"]);
  });
});

describe("daprdFacts: daprd's side of a round, read with daprd-log.mjs", () => {
  const lines = resiliencyLines("statestore", "simpleCB-statestore");
  /** @param {string} msg @param {number} at */
  const ev = (msg, at) => ({ source: "daprd", msg, at });

  test("a failed call, retried once, recovered; the breaker stayed closed", () => {
    const facts = daprdFacts(
      [
        { source: "app", msg: "Saving Order: { orderId: '4' }", at: 1 },
        ev("Error processing operation component[statestore] output. Retrying in 5s…", 3.7),
        ev("Recovered processing operation component[statestore] output after 2 attempts", 8.7),
      ],
      lines,
    );
    expect(facts).toEqual({ daprdRetries: 1, breakerOpened: false, firstRetry: 3.7, recovered: 8.7, attempts: 2 });
  });

  test("the breaker opening is seen; no lines at all means daprd saw no failure", () => {
    const opened = daprdFacts(
      [ev('Circuit breaker "simpleCB-statestore" changed state from closed to open', 30)],
      lines,
    );
    expect(opened.breakerOpened).toBe(true);
    expect(daprdFacts([], lines)).toEqual({
      daprdRetries: 0,
      breakerOpened: false,
      firstRetry: undefined,
      recovered: undefined,
      attempts: undefined,
    });
  });
});
