#!/usr/bin/env zx
// @ts-check
// npm run setup: install Dapr (or use the one installed), start Redis,
// placement and scheduler, build the apps. A second run takes seconds.
import { defineCommand } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { REDIS_FLAG } from "./stack/redis.mjs";
import { step } from "./cli/console.mjs";

export const command = defineCommand({
  usage: "npm run setup --",
  about:
    "Installs Dapr (or uses the one installed; without one it builds it from its Go modules), starts Redis,\n" +
    "placement and scheduler on loopback, and builds the apps. Everything already done is skipped.",
  flags: { redis: REDIS_FLAG },
  notes: "REDIS_PASSWORD=... starts the project's Redis with that password.",
});

await runTool(import.meta.url, command, async ({ values }) => {
  const started = Date.now();
  const { dapr, redis } = await ensurePrerequisites({ redisMode: values.redis });
  step(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: dapr CLI ${dapr.cliVersion} (${dapr.cli}), runtime ${dapr.runtime}, ${redis.describe()}, placement :50005, scheduler :50006`,
  );
});
