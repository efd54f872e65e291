// For integration tests and the fault checks: a Redis of its own on a free
// port, resources pointing at it, and an order-processor beside a real daprd.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalRedis } from "./redis.mjs";
import { freePort } from "./net.mjs";
import { startSidecar } from "./sidecar.mjs";
import { writeRunResources } from "./resources.mjs";
import { Recorder } from "./recorder.mjs";
import { VARIANTS } from "./paths.mjs";

export async function startRedis({ password } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-test-"));
  const redis = new LocalRedis({ port: await freePort(), dir, password });
  await redis.start();
  return redis;
}

/**
 * Starts an app variant (or any command) with daprd against `redis`.
 * Options: variant, command, appArgs, env, daprdEnv, apiToken, appId, resources (writeRunResources options).
 */
export async function startApp({
  redis,
  variant,
  command,
  appArgs = [],
  env = {},
  daprdEnv,
  apiToken,
  appId,
  resources = {},
  onEvent,
  logLevel,
} = {}) {
  const resourcesDir = writeRunResources({
    ...resources,
    metadata: { redisHost: `localhost:${redis.port}`, ...(resources.metadata ?? {}) },
  });
  const recorder = new Recorder({ onEvent });
  const sidecar = await startSidecar({
    command: command ?? [process.execPath, VARIANTS[variant].main, ...appArgs],
    resourcesDir,
    env,
    daprdEnv,
    apiToken,
    appId,
    logLevel,
    onLine: (e) => recorder.push(e),
  }).catch((err) => {
    fs.rmSync(resourcesDir, { recursive: true, force: true });
    err.recorder = recorder; // what daprd printed before it failed
    throw err;
  });
  return {
    sidecar,
    recorder,
    resourcesDir,
    async stop() {
      await sidecar.stop();
      fs.rmSync(resourcesDir, { recursive: true, force: true });
    },
  };
}

/** Collects a test's cleanups; they run last-in first-out when it finishes, passed or failed. */
export function cleanupList(onTestFinished) {
  const list = [];
  onTestFinished(async () => {
    for (const fn of list.reverse()) {
      try {
        await fn();
      } catch {
        /* best effort: the next one still runs */
      }
    }
  });
  return list;
}

/** A Redis of the test's own, stopped and deleted when the test ends (resumed first: a paused Redis ignores SIGTERM). */
export async function ownRedis(cleanups, options) {
  const redis = await startRedis(options);
  cleanups.push(async () => {
    try {
      redis.resume();
    } catch {
      /* not running */
    }
    await redis.stop();
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });
  return redis;
}
