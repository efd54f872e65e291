// @ts-check
// The Redis behind the soak's apps: one redis-server of its own (behind the
// fault proxy), or with --redis sentinel a primary, a replica and three
// Sentinels. Either way: where daprd points, how the checker reads what the
// store holds now, which processes to sample, and what the faults act on.
import fs from "node:fs";
import { startRedis } from "../../stack/isolated-stack.mjs";
import { onCleanup } from "../../cli/cleanup.mjs";
import { SentinelCluster } from "../../stack/sentinel-cluster.mjs";
import { storeMetadata } from "../../stack/sentinel-config.mjs";

/**
 * @typedef {object} SoakStore
 * @property {string} describe
 * @property {Record<string, string | number>} metadata the state store's metadata for daprd (redisHost, …)
 * @property {boolean} network        daprd reaches Redis through the fault proxy
 * @property {() => Promise<import("../../stack/redis.mjs").RedisClient>} connect a client to the primary now
 * @property {() => { name: string, pid: number | undefined }[]} procs its processes, for memory
 * @property {Pick<import("./inject.mjs").FaultTargets, "redis" | "cluster" | "network">} targets
 */

/** @typedef {(redisPort: number) => Promise<{ port: number, fault: (kind: string) => Promise<() => Promise<void>> }>} ProxyStarter */

/**
 * @param {object} o
 * @param {"local" | "sentinel"} o.mode
 * @param {import("../../stack/sentinel-config.mjs").Durability} [o.durability] with sentinel
 * @param {ProxyStarter} [o.proxy] puts the fault proxy in front of the local Redis
 * @param {boolean} [o.partitionable] with sentinel: links between the nodes from 127.0.0.2 (stack/partition.mjs)
 * @returns {Promise<SoakStore>}
 */
export async function startStore({ mode, durability = "async", proxy, partitionable = false }) {
  if (mode === "sentinel") {
    const cluster = new SentinelCluster({ replicas: 1, durability, partitionable });
    await cluster.start(); // stopped by its own clean-up on every way out
    const sentinels = cluster.sentinels.map((s) => s.port);
    return {
      describe: `Sentinel: primary ${cluster.primaryPort}, replica ${cluster.nodes[1]?.port}, Sentinels ${sentinels.join(", ")} (durability ${durability})`,
      metadata: storeMetadata(sentinels),
      network: false,
      connect: async () => cluster.client((await cluster.askedPrimary()) ?? cluster.primaryPort),
      procs: () => cluster.nodes.map((n) => ({ name: `redis-server ${n.port}`, pid: n.child?.pid })),
      targets: { cluster },
    };
  }
  const redis = await startRedis();
  onCleanup(async () => {
    try {
      redis.resume(); // a frozen Redis ignores SIGTERM until it runs again
    } catch {
      /* not running */
    }
    await redis.stop().catch(() => undefined);
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });
  const net = proxy ? await proxy(redis.port) : undefined;
  return {
    describe: `${redis.describe()}${net ? `; daprd reaches it through the fault proxy on 127.0.0.1:${net.port}` : ""}`,
    metadata: { redisHost: `localhost:${net?.port ?? redis.port}` },
    network: Boolean(net),
    connect: () => redis.client(),
    procs: () => [{ name: "redis-server", pid: redis.pid() }],
    targets: { redis, network: net?.fault },
  };
}
