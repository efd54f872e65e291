#!/usr/bin/env zx
// npm run setup: install Dapr (or use the one installed), start Redis,
// placement and scheduler, build the apps. A second run takes seconds.
import { parseArgs } from "node:util";
import { main, scriptArgs, UsageError } from "./lib/errors.mjs";
import { ensurePrerequisites } from "./lib/prerequisites.mjs";
import { step } from "./lib/console.mjs";

await main(async () => {
  let redisMode;
  try {
    ({
      values: { redis: redisMode },
    } = parseArgs({
      args: scriptArgs(import.meta.url).filter((a) => a !== "--"),
      options: { redis: { type: "string", default: "auto" } },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(err.message, "Usage: npm run setup [-- --redis auto|docker|local]");
  }
  const started = Date.now();
  const { dapr, redis } = await ensurePrerequisites({ redisMode });
  step(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: dapr CLI ${dapr.cliVersion} (${dapr.cli}), runtime ${dapr.runtime}, ${redis.describe()}, placement :50005, scheduler :50006`,
  );
});
