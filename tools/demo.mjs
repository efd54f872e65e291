#!/usr/bin/env zx
// The demos, one entry point:
//   npx zx tools/demo.mjs walkthrough [--variant sdk|http|grpc|all] [--redis auto|docker|local] [--outage <s>] [--json] [-- <app command>]
//   npx zx tools/demo.mjs compare [--quick] [--json] [--variants sdk,http,grpc]
import { main, scriptArgs, UsageError } from "./lib/errors.mjs";

const COMMANDS = {
  walkthrough: async (args) => (await import("./lib/walkthrough.mjs")).runWalkthrough(args),
  compare: async (args) => (await import("./lib/compare.mjs")).runCompare(args),
};

await main(async () => {
  const [command, ...rest] = scriptArgs(import.meta.url);
  if (!COMMANDS[command]) {
    throw new UsageError(command ? `Unknown command "${command}".` : "Which demo?", "Usage: npx zx tools/demo.mjs walkthrough|compare [options]   (--help after the command for its options)");
  }
  return COMMANDS[command](rest);
});
