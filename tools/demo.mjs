#!/usr/bin/env zx
// The demos, one entry point:
//   npx zx tools/demo.mjs walkthrough [--variant sdk|http|grpc|all] [--redis auto|docker|local] [--outage <s>] [--json] [-- <app command>]
//   npx zx tools/demo.mjs compare [--quick] [--json] [--variants sdk,http,grpc]
//   npx zx tools/demo.mjs failover [--variant sdk|http|grpc|all] [--rounds N] [--json] [--durability async|safe] [--latency]
import { main, scriptArgs, UsageError } from "./lib/errors.mjs";
import { ensureBuilt } from "./lib/prerequisites.mjs";
import { sendHumanOutputTo } from "./lib/console.mjs";

const COMMANDS = {
  walkthrough: async (args) => (await import("./lib/walkthrough/index.mjs")).runWalkthrough(args),
  compare: async (args) => (await import("./lib/compare/index.mjs")).runCompare(args),
  failover: async (args) => (await import("./lib/failover/flow.mjs")).runFailover(args),
};

await main(async () => {
  const [command, ...rest] = scriptArgs(import.meta.url);
  if (!COMMANDS[command]) {
    throw new UsageError(
      command ? `Unknown command "${command}".` : "Which demo?",
      "Usage: npx zx tools/demo.mjs walkthrough|compare|failover [options]   (--help after the command for its options)",
    );
  }
  if (rest.includes("--json")) sendHumanOutputTo(process.stderr); // stdout is for the JSON result
  // Both commands read the apps' lines with the library's parser (libs/order-model/dist):
  // on a fresh clone, build before loading them.
  await ensureBuilt();
  return COMMANDS[command](rest);
});
