// @ts-check
// Applies one planned fault and returns how to clear it. Process faults act on
// the soak's own Redis and daprd processes; network faults are the lab's
// catalogue (stack/faults.mjs), applied on the proxy between daprd and Redis.
import { setTimeout as sleep } from "node:timers/promises";
import { restartDaprd } from "./apps.mjs";

/**
 * What the faults act on.
 * @typedef {object} FaultTargets
 * @property {import("../../stack/redis.mjs").LocalRedis} [redis] the soak's Redis (not with --redis sentinel)
 * @property {import("../../stack/sentinel-cluster.mjs").SentinelCluster} [cluster] with --redis sentinel
 * @property {import("./apps.mjs").SoakApp[]} apps
 * @property {(kind: string) => Promise<() => Promise<void>>} [network] applies a network fault, returns its clear
 * @property {() => number} now
 */

/**
 * @param {import("./schedule.mjs").PlannedFault} f
 * @param {FaultTargets} t
 * @returns {Promise<() => Promise<void>>} clears it
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
        let next;
        for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
          next = await c.askedPrimary();
          if (next !== undefined && next !== old) break;
        }
        if (next === undefined || next === old)
          throw new Error(`the Sentinels named no new primary within 60 s of killing ${old}`);
        await c.restartAsReplica(old, next);
        await c.waitReplicating(next, [old]);
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
