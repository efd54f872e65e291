#!/usr/bin/env zx
// @ts-check
// The long-running services the tools start and leave running, as `dapr init`
// leaves its containers: npm run services -- status|stop
import { main, scriptArgs } from "./cli/main.mjs";
import { printUsage, wantsHelp } from "./cli/legacy-flags.mjs";
import { UsageError } from "./cli/errors.mjs";
import { DEFAULT_REDIS_PORT, LocalRedis } from "./stack/redis.mjs";
import { PLACEMENT_PORT, SCHEDULER_PORT, stopControlPlane } from "./stack/control-plane.mjs";
import { isPortOpen } from "./stack/net.mjs";
import { say, step } from "./cli/console.mjs";

const USAGE = "Usage: npm run services -- status|stop";
const HELP = `${USAGE}

The services the tools start and leave running, as \`dapr init\` leaves its containers:
Redis (127.0.0.1:${DEFAULT_REDIS_PORT}), placement (:${PLACEMENT_PORT}), scheduler (:${SCHEDULER_PORT}).
  status        (default) which of them run, and whether this project started them
  stop          stops the ones this project started
  -h, --help    this help`;

await main(async () => {
  const args = scriptArgs(import.meta.url).filter((a) => a !== "--");
  if (wantsHelp(args)) return printUsage(HELP);
  const [command = "status", ...rest] = args;
  if (!["status", "stop"].includes(command) || rest.length)
    throw new UsageError(`Unknown: ${[command, ...rest].join(" ")}`, USAGE);
  const redis = new LocalRedis();
  if (command === "stop") {
    if (await redis.isOurs()) {
      await redis.stop();
      step(`stopped ${redis.describe()}`);
    }
    await stopControlPlane();
    return 0;
  }
  say(
    "services",
    `redis      127.0.0.1:${redis.port}  ${(await redis.isUp()) ? ((await redis.isOurs()) ? "running (started by this project)" : "running (not ours)") : "stopped"}`,
  );
  say(
    "services",
    `placement  127.0.0.1:${PLACEMENT_PORT} ${(await isPortOpen(PLACEMENT_PORT)) ? "running" : "stopped"}`,
  );
  say(
    "services",
    `scheduler  127.0.0.1:${SCHEDULER_PORT} ${(await isPortOpen(SCHEDULER_PORT)) ? "running" : "stopped"}`,
  );
  return 0;
});
