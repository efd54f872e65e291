#!/usr/bin/env zx
// @ts-check
// npm run setup: install Dapr (or use the one installed), start Redis,
// placement and scheduler, build the apps. A second run takes seconds.
import { parseArgs } from "node:util";
import { main, scriptArgs } from "./cli/main.mjs";
import { printUsage, wantsHelp } from "./cli/legacy-flags.mjs";
import { UsageError } from "./cli/errors.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { step } from "./cli/console.mjs";

const USAGE = "Usage: npm run setup [-- --redis auto|docker|local]";
const HELP = `${USAGE}

Installs Dapr (or uses the one installed; without one it builds it from its Go modules), starts Redis,
placement and scheduler on loopback, and builds the apps. Everything already done is skipped.
  --redis MODE   auto (default): the dapr_redis container if Docker runs one, else the project's redis-server;
                 docker or local to choose
  -h, --help     this help
REDIS_PASSWORD=... starts the project's Redis with that password.`;

await main(async () => {
  const args = scriptArgs(import.meta.url).filter((a) => a !== "--");
  if (wantsHelp(args)) return printUsage(HELP);
  let redisMode;
  try {
    ({
      values: { redis: redisMode },
    } = parseArgs({ args, options: { redis: { type: "string", default: "auto" } }, strict: true }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), USAGE);
  }
  const started = Date.now();
  const { dapr, redis } = await ensurePrerequisites({ redisMode });
  step(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: dapr CLI ${dapr.cliVersion} (${dapr.cli}), runtime ${dapr.runtime}, ${redis.describe()}, placement :50005, scheduler :50006`,
  );
});
