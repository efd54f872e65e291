// @ts-check
// Applies one planned fault and returns how to clear it. Process faults act on
// the soak's own Redis and daprd processes; network faults are the lab's
// catalogue (stack/faults.mjs), applied on the proxy between daprd and Redis.
import { restartDaprd } from "./apps.mjs";

/**
 * What the faults act on.
 * @typedef {object} FaultTargets
 * @property {import("../../stack/redis.mjs").LocalRedis} redis
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
      await t.redis.stop(f.kind === "redis-sigterm" ? "SIGTERM" : "SIGKILL");
      return () => t.redis.start();
    }
    case "redis-sigstop": {
      t.redis.pause();
      return async () => t.redis.resume();
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
