// @ts-check
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
import { onCleanup, startOwned } from "../cli/cleanup.mjs";

/**
 * A redis-server of its own on a free port, data in a new temporary folder.
 * @param {{ password?: string }} [options]
 */
export async function startRedis({ password } = {}) {
  /** @type {LocalRedis | undefined} */
  let redis;
  // Stopped on every way out, even if the caller never got it back (a signal mid-start).
  return startOwned(
    "a redis-server",
    async () => {
      const port = await freePort();
      redis = new LocalRedis({ port, dir: fs.mkdtempSync(path.join(os.tmpdir(), "redis-test-")), password });
      await redis.start();
      return redis;
    },
    async () => {
      if (!redis) return;
      await redis.stop();
      fs.rmSync(redis.dir, { recursive: true, force: true });
    },
  );
}

/**
 * An app beside its daprd, on resources pointing at its own Redis.
 * @typedef {object} StackApp
 * @property {import("./sidecar.mjs").Sidecar} sidecar
 * @property {Recorder} recorder every line both printed, parsed
 * @property {string} resourcesDir the per-run copy of resources/
 * @property {() => Promise<void>} stop stops app and daprd, removes the copy
 */

/**
 * Starts an app variant (or any command) with daprd against `redis`.
 * @param {object} o
 * @param {Pick<import("./redis.mjs").RedisHandle, "port">} o.redis
 * @param {import("./paths.mjs").VariantName} [o.variant] which app (or give `command`)
 * @param {string[]} [o.command] any command instead of a variant's app
 * @param {string[]} [o.appArgs] flags for the variant's app
 * @param {Record<string, string>} [o.env] for the app
 * @param {Record<string, string>} [o.daprdEnv] for daprd only
 * @param {string} [o.apiToken]
 * @param {string} [o.appId]
 * @param {Parameters<typeof writeRunResources>[0]} [o.resources] how to change the copy of resources/
 * @param {(e: any) => void} [o.onEvent] each recorded event, as it comes
 * @param {string} [o.logLevel] daprd's
 * @returns {Promise<StackApp>}
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
}) {
  const appCommand = command ?? (variant && [process.execPath, VARIANTS[variant].main, ...appArgs]);
  if (!appCommand) throw new Error("startApp: give a variant or a command");
  const resourcesDir = writeRunResources({
    ...resources,
    metadata: { redisHost: `localhost:${redis.port}`, ...(resources.metadata ?? {}) },
  });
  const removeDir = () => fs.rmSync(resourcesDir, { recursive: true, force: true });
  // Registered before daprd starts, so on a signal it runs after daprd has stopped.
  const unregister = onCleanup(removeDir);
  const recorder = new Recorder(/** @type {ConstructorParameters<typeof Recorder>[0]} */ ({ onEvent }));
  const sidecar = await startSidecar({
    command: appCommand,
    resourcesDir,
    env,
    daprdEnv,
    apiToken,
    appId,
    logLevel,
    onLine: (e) => recorder.push(e),
  }).catch((err) => {
    unregister();
    removeDir();
    if (err instanceof Error) Object.assign(err, { recorder }); // what daprd printed before it failed
    throw err;
  });
  return {
    sidecar,
    recorder,
    resourcesDir,
    async stop() {
      await sidecar.stop();
      unregister();
      removeDir();
    },
  };
}
