#!/usr/bin/env zx
// @ts-check
// The demos, one entry point:
//   npx zx tools/demo.mjs walkthrough [--variant sdk|http|grpc|all] [--redis auto|docker|local] [--outage <s>] [--json] [-- <app command>]
//   npx zx tools/demo.mjs compare [--quick] [--json] [--variants sdk,http,grpc]
//   npx zx tools/demo.mjs failover [--variant sdk|http|grpc|all] [--rounds N] [--json] [--durability async|safe] [--latency]
//   npx zx tools/demo.mjs lab [--policies a,b] [--policy FILE] [--faults a,b] [--fault-s S] [--quick] [--reload] [--json]
//   npx zx tools/demo.mjs soak [--duration 1h] [--seed N] [--variants sdk,sdk-grpc,http,grpc] [--json]
import { main, printUsage, scriptArgs, UsageError, wantsHelp } from "./cli/errors.mjs";
import { ensureBuilt } from "./stack/prerequisites.mjs";
import { sendHumanOutputTo } from "./cli/console.mjs";

/** @typedef {(args: string[]) => Promise<number | void>} Command */

/** @type {Record<string, Command>} */
const COMMANDS = {
  walkthrough: async (args) => (await import("./demos/walkthrough/index.mjs")).runWalkthrough(args),
  compare: async (args) => (await import("./demos/compare/index.mjs")).runCompare(args),
  failover: async (args) => (await import("./demos/failover/index.mjs")).runFailover(args),
  lab: async (args) => (await import("./demos/lab/index.mjs")).runLab(args),
  soak: async (args) => (await import("./demos/soak/index.mjs")).runSoakCommand(args),
};

/** @type {Record<string, string>} one line per command for --help */
const ABOUT = {
  walkthrough: 'the Dapr quickstart "Resiliency: State Management", checked step by step (npm start)',
  compare: "the three client styles side by side: latency, start-up, memory, the outage (npm run compare)",
  failover: "Redis failing over under Sentinel while the app saves orders",
  lab: "each resiliency policy under each way a state store fails (a real fault proxy): reports/lab.{md,svg,json}",
  soak: "four client styles at once under an hour of random, overlapping faults; nothing may be lost",
};

const USAGE = `Usage: npx zx tools/demo.mjs ${Object.keys(COMMANDS).join("|")} [options]   (--help after the command for its options)`;
const HELP = [
  USAGE,
  "",
  ...Object.keys(COMMANDS).map((c) => `  ${c.padEnd(14)}${ABOUT[c] ?? ""}`),
  `  ${"-h, --help".padEnd(14)}this help`,
].join("\n");

await main(async () => {
  const [command, ...rest] = scriptArgs(import.meta.url);
  if (wantsHelp(command ? [command] : [])) return printUsage(HELP);
  const run = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) throw new UsageError(command ? `Unknown command "${command}".` : "Which demo?", USAGE);
  if (rest.includes("--json")) sendHumanOutputTo(process.stderr); // stdout is for the JSON result
  // Both commands read the apps' lines with the library's parser (libs/order-model/dist):
  // on a fresh clone, build before loading them.
  await ensureBuilt();
  return run(rest);
});
