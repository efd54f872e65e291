// An isolated stack for `compare`, the failover demo and the integration tests:
// a Redis of its own on a free port, resources pointing at it, and an
// order-processor beside a real daprd. Nothing here touches the project's
// shared Redis on 6379.
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
