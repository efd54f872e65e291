// @ts-check
// One real network partition (Linux, root, iptables): a primary, a replica and three Sentinels whose
// links come from 127.0.0.2, http-app beside a real daprd on 127.0.0.1, and the soak's partition fault.
// Asserts what must hold whatever the machine's speed: the links really come from where the rules cut;
// the Sentinels promote the replica while daprd still writes to the old primary; the old primary rejoins
// as a replica; the rules are gone afterwards, also after SIGTERM to the soak mid-partition.
import { setTimeout as sleep } from "node:timers/promises";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { $ } from "zx";
import { SentinelCluster } from "../stack/sentinel-cluster.mjs";
import { storeMetadata } from "../stack/sentinel-config.mjs";
import { startSidecar } from "../stack/sidecar.mjs";
import { writeRunResources } from "../stack/resources.mjs";
import { VARIANTS } from "../stack/paths.mjs";
import { partitionBlocker, rulesLeft } from "../stack/partition.mjs";
import { applyFault } from "../demos/soak/inject.mjs";
import { markedRun, runAndEnd } from "./support/interrupt.mjs";

const blocked = partitionBlocker({ iptables: (await $`iptables -w -S INPUT`.nothrow().quiet()).exitCode === 0 });
const t0 = Date.now();
const now = () => (Date.now() - t0) / 1000;

/** The source addresses of a node's clients (CLIENT LIST's addr=ip:port), this test's own connection aside. */
async function clientSources(/** @type {SentinelCluster} */ c, /** @type {number} */ port) {
  const text = String(await c.with(port, (r) => r.sendCommand(["CLIENT", "LIST"])));
  return text
    .split("\n")
    .filter((l) => l && !/ cmd=client\|list /.test(l))
    .map((l) => /addr=([\d.]+):/.exec(l)?.[1] ?? "?");
}

describe.skipIf(blocked)("a partition: the primary cut off from the Sentinels and the replica, not from daprd", () => {
  const cluster = new SentinelCluster({ replicas: 1, partitionable: true });
  /** @type {import("../stack/sidecar.mjs").Sidecar} */
  let sidecar;
  /** @type {string | undefined} */
  let resourcesDir;
  beforeAll(async () => {
    await cluster.start();
    resourcesDir = writeRunResources({ metadata: storeMetadata(cluster.sentinels.map((s) => s.port)) });
    sidecar = await startSidecar({ command: [process.execPath, VARIANTS.http.main], appId: "partition", resourcesDir });
  }, 90_000);
  afterAll(async () => {
    await sidecar?.stop();
    await cluster.stop();
    if (resourcesDir) fs.rmSync(resourcesDir, { recursive: true, force: true });
  });

  test("the Sentinels promote the replica while daprd still writes to the old primary; healed, no rule left", async () => {
    const primary = cluster.primaryPort;
    const replica = /** @type {number} */ (cluster.nodes[1]?.port);
    // Wait for daprd's first writes, then look at who is connected to the primary, and from where.
    for (let i = 0; i < 100 && (await cluster.writeCalls(primary)).taken < 2; i++) await sleep(200);
    const sources = await clientSources(cluster, primary);
    // 3 Sentinels × 2 links (commands, hello messages) + the replica, all from where the rules cut
    expect(sources.filter((a) => a === "127.0.0.2").length).toBeGreaterThanOrEqual(7);
    expect(sources).toContain("127.0.0.1"); // daprd

    const clear = await applyFault(
      { n: 1, lane: "redis", kind: "partition", atS: 0, forS: 1 },
      { cluster, apps: [], now },
    );
    expect((await rulesLeft()).length).toBe(2);
    const facts = await clear();
    expect(await rulesLeft()).toEqual([]);
    expect(facts).toMatchObject({ oldPrimary: primary, newPrimary: replica });
    if (!facts) throw new Error("no facts");
    expect(facts.oldPrimaryTook).toBeGreaterThan(0); // daprd reached the cut-off primary after the cut
    expect(facts.promotedAfterS).toBeGreaterThan(0);
    // The old primary rejoined as the new primary's replica (the clear waited for a WAIT-confirmed probe).
    expect((await cluster.info(primary)).role).toBe("slave");
    expect(await cluster.askedPrimary()).toBe(replica);
  }, 120_000);
});

describe.skipIf(blocked)("soak --redis sentinel --partition, SIGTERM mid-partition", () => {
  test("exit 143; the rules it added are gone, and everything it started", async () => {
    const run = markedRun();
    /** @type {Set<string>} */
    const seen = new Set();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const l of (await $`iptables -w -S INPUT`.quiet()).stdout.split("\n"))
          if (l.includes("dapr-resiliency partition pid")) seen.add(l);
        await sleep(100);
      }
    })();
    try {
      const ended = await runAndEnd({
        script: "demo.mjs",
        args: ["soak", "--redis", "sentinel", "--partition", "--duration", "2m", "--variants", "http"],
        env: run.env,
        at: /fault +#1 partition for/,
        afterMs: 1_000,
        signal: "SIGTERM",
        timeoutMs: 240_000,
      });
      watching = false;
      await watch;
      expect(ended.matched, ended.output).toBe(true);
      expect({ code: ended.code, hung: ended.hung }, ended.output).toEqual({ code: 143, hung: false });
      expect(seen.size, "the partition's two rules were in place before the signal").toBe(2);
      const left = (await $`iptables -w -S INPUT`.quiet()).stdout.split("\n").filter((l) => seen.has(l));
      expect(left).toEqual([]);
      for (let i = 0; i < 20 && run.processes().length; i++) await sleep(100); // the kernel reaping the last
      expect(run.processes()).toEqual([]);
      expect(run.leftovers()).toEqual([]);
    } finally {
      watching = false;
      run.remove();
    }
  }, 300_000);
});
