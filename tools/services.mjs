#!/usr/bin/env zx
// The long-running services the tools start and leave running, as `dapr init`
// leaves its containers: npm run services -- status|stop
import { main, scriptArgs, UsageError } from "./lib/errors.mjs";
import { LocalRedis } from "./lib/redis.mjs";
import { PLACEMENT_PORT, SCHEDULER_PORT, stopControlPlane } from "./lib/control-plane.mjs";
import { isPortOpen } from "./lib/net.mjs";
import { say, step } from "./lib/console.mjs";

await main(async () => {
  const [command = "status", ...rest] = scriptArgs(import.meta.url).filter((a) => a !== "--");
  if (!["status", "stop"].includes(command) || rest.length)
    throw new UsageError(`Unknown: ${[command, ...rest].join(" ")}`, "Usage: npm run services -- status|stop");
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
