#!/usr/bin/env zx
// @ts-check
// The long-running services the tools start and leave running, as `dapr init`
// leaves its containers: npm run services -- status|stop
import { defineCommand } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { DEFAULT_REDIS_PORT, LocalRedis } from "./stack/redis.mjs";
import { PLACEMENT_PORT, SCHEDULER_PORT, stopControlPlane } from "./stack/control-plane.mjs";
import { isPortOpen } from "./stack/net.mjs";
import { say, step } from "./cli/console.mjs";
import { engineStatus, stopOwnService } from "./stack/container-engine.mjs";

export const command = defineCommand({
  usage: "npm run services --",
  about:
    "The services the tools start and leave running, as `dapr init` leaves its containers:\n" +
    `Redis (127.0.0.1:${DEFAULT_REDIS_PORT}), placement (:${PLACEMENT_PORT}), scheduler (:${SCHEDULER_PORT}), and in\n` +
    "container mode (--redis docker) podman's Docker API on a socket of this project's (its containers keep running).",
  positionals: [
    {
      name: "command",
      choices: ["status", "stop"],
      default: "status",
      help: "status: which of them run, and whether this project started them; stop: stops the ones this project started",
    },
  ],
  flags: {},
});

await runTool(import.meta.url, command, async ({ positionals: [action] }) => {
  const redis = new LocalRedis();
  if (action === "stop") {
    if (await redis.isOurs()) {
      await redis.stop();
      step(`stopped ${redis.describe()}`);
    }
    await stopControlPlane();
    if (await stopOwnService()) step("stopped this project's podman service");
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
  say("services", await engineStatus());
  return 0;
});
