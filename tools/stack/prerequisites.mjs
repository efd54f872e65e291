// @ts-check
// Everything a command needs before it runs an order-processor: Dapr
// installed, Redis, placement and scheduler running, the apps built.
import fs from "node:fs";
import { $ } from "zx";
import { ROOT, VARIANTS } from "./paths.mjs";
import { ensureDapr } from "./dapr-install.mjs";
import { ensureRedis } from "./redis.mjs";
import { ensureControlPlane } from "./control-plane.mjs";
import { checkResources } from "./resources.mjs";
import { ToolError } from "../cli/errors.mjs";
import { step } from "../cli/console.mjs";

// demo.mjs builds before loading a command, and the command's ensurePrerequisites() asks
// again: one build per process is enough.
/** @type {Promise<void> | undefined} */
let built;
/** Builds the apps and the library (Nx skips what is up to date), once per process. */
export function ensureBuilt() {
  built ??= build();
  return built;
}

async function build() {
  const missing = Object.values(VARIANTS).some((v) => !fs.existsSync(v.main));
  const r = await $({ cwd: ROOT })`npx nx run-many -t build --outputStyle=static`.nothrow().quiet();
  if (r.exitCode !== 0)
    throw new ToolError(
      `Building the apps failed:\n${(r.stdout + r.stderr).trim().split("\n").slice(-15).join("\n")}`,
      "Run `npx nx run-many -t build` to see the whole output.",
    );
  if (missing) step("built the apps (npx nx run-many -t build)");
}

/**
 * What a tool with a Redis of its own needs (compare, failover, the benchmarks): Dapr installed,
 * placement and scheduler running, the apps built; not the project's shared Redis on 6379.
 * @returns {Promise<import("./dapr-install.mjs").DaprInstall>}
 */
export async function ensureDaprAndApps() {
  const dapr = await ensureDapr();
  await ensureControlPlane();
  await ensureBuilt();
  return dapr;
}

/**
 * @param {{ redisMode?: string, needRedisControl?: boolean, resourcesDir?: string }} [options]
 *   needRedisControl: the command stops and starts Redis, so it must be one this project runs
 * @returns {Promise<{ dapr: import("./dapr-install.mjs").DaprInstall, redis: import("./redis.mjs").RedisHandle, checked: import("./resources.mjs").CheckedResources }>}
 */
export async function ensurePrerequisites({ redisMode = "auto", needRedisControl = false, resourcesDir } = {}) {
  const checked = checkResources(resourcesDir); // refuse bad resources before starting anything
  const dapr = await ensureDaprAndApps();
  const redis = await ensureRedis({ mode: redisMode, needControl: needRedisControl });
  return { dapr, redis, checked };
}
