// @ts-check
// Applies one planned fault and returns how to clear it. Process faults act on
// the soak's own Redis and daprd processes; network faults are the lab's
// catalogue (stack/faults.mjs), applied on the proxy between daprd and Redis.
import { restartDaprd } from "./apps.mjs";
import { cutOff } from "../../stack/partition.mjs";

/**
 * What the faults act on.
 * @typedef {object} FaultTargets
 * @property {import("../../stack/redis.mjs").LocalRedis} [redis] the soak's Redis (not with --redis sentinel)
 * @property {import("../../stack/sentinel-cluster.mjs").SentinelCluster} [cluster] with --redis sentinel
 * @property {import("./apps.mjs").SoakApp[]} apps
 * @property {(kind: string) => Promise<() => Promise<void>>} [network] applies a network fault, returns its clear
 * @property {() => number} now
 */

/** @typedef {import("./checker.mjs").PartitionFacts} PartitionFacts */

/**
 * @param {import("./schedule.mjs").PlannedFault} f
 * @param {FaultTargets} t
 * @returns {Promise<() => Promise<void | PartitionFacts>>} clears it (a partition: what it saw)
 */
export async function applyFault(f, t) {
  switch (f.kind) {
    case "redis-sigterm":
    case "redis-sigkill": {
      const redis = need(t.redis, f.kind);
      await redis.stop(f.kind === "redis-sigterm" ? "SIGTERM" : "SIGKILL");
      return () => redis.start();
    }
    case "redis-sigstop": {
      const redis = need(t.redis, f.kind);
      redis.pause();
      return async () => redis.resume();
    }
    case "failover": {
      // The primary crashes (SIGKILL); the Sentinels promote the replica; the old primary comes back as its replica.
      const c = need(t.cluster, f.kind);
      const old = (await c.askedPrimary()) ?? c.primaryPort;
      await c.killNode(old);
      return async () => {
        const next = await c.waitNewPrimary(old);
        await c.restartAsReplica(old, next);
        await c.waitReplicating(next, [old]);
      };
    }
    case "partition": {
      // The primary cut off from the Sentinels and the replica (stack/partition.mjs) while daprd still
      // reaches it; it lasts at least until the Sentinels promoted the replica. Healed, the Sentinels turn
      // the old primary into a replica of the new one: what it acknowledged alone is gone.
      const c = need(t.cluster, f.kind);
      const old = (await c.askedPrimary()) ?? c.primaryPort;
      const before = await c.writeCalls(old);
      const heal = await cutOff(old);
      const cutS = t.now();
      // Watched from the cut: when the Sentinels promote, and what the old primary had taken by then.
      const promoted = c.waitNewPrimary(old).then(async (next) => ({
        next,
        promotedS: t.now(),
        after: await c.writeCalls(old).catch(() => undefined),
      }));
      promoted.catch(() => undefined); // awaited by the clear; no unhandled rejection meanwhile
      return async () => {
        const { next, promotedS, after } = await promoted;
        await heal();
        await c.waitReplicating(next, [old], 60_000);
        return {
          oldPrimary: old,
          newPrimary: next,
          promotedAfterS: Math.round((promotedS - cutS) * 10) / 10,
          // daprd's writes the cut-off primary took and refused between the cut and the promotion
          oldPrimaryTook: after ? after.taken - before.taken : NaN,
          oldPrimaryRefused: after ? after.refused - before.refused : NaN,
        };
      };
    }
    case "daprd-kill": {
      const app = t.apps.find((a) => a.appId === f.target) ?? t.apps[0];
      if (!app) throw new Error("daprd-kill: no app");
      const daprd = app.daprd;
      if (daprd.exitCode === null && daprd.signalCode === null) {
        const exited = new Promise((r) => daprd.once("exit", r));
        daprd.kill("SIGKILL");
        await exited;
      }
      return async () => {
        const r = await restartDaprd(app, t.now);
        if (r.error) throw new Error(`${app.appId}'s daprd: ${r.error}`);
      };
    }
    default: {
      if (!t.network) throw new Error(`fault ${f.kind} needs the proxy between daprd and Redis`);
      return t.network(f.kind);
    }
  }
}

/** @template T @param {T | undefined} x @param {string} kind @returns {T} */
function need(x, kind) {
  if (x === undefined) throw new Error(`fault ${kind} does not apply to this soak's Redis`);
  return x;
}
