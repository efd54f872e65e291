#!/usr/bin/env zx
// @ts-check
// The demos, one entry point: npx zx tools/demo.mjs <command> [options]
// (--help lists the commands; <command> --help its options). A command is one
// entry of DEMOS: its flag table and options (args.mjs, loaded before
// anything is built or started) and its run (index.mjs, loaded after the build).
import { exitUnlessInstalled } from "./cli/installed.mjs";

// Before anything that loads a package: after a pull that added one, say `npm ci`, not a stack trace.
exitUnlessInstalled();
const { defineGroup } = await import("./cli/command.mjs");
const { isEntry, main, scriptArgs } = await import("./cli/main.mjs");
const { UsageError } = await import("./cli/errors.mjs");
const { ensureBuilt } = await import("./stack/prerequisites.mjs");
const { sendHumanOutputTo } = await import("./cli/console.mjs");

/**
 * @template T
 * @typedef {object} Demo
 * @property {string} about   one line for demo.mjs --help
 * @property {() => Promise<{ command: import("./cli/command.mjs").Command, options: (parsed: any, argv: string[]) => T }>} args
 * @property {(opts: T) => Promise<number>} run
 */

/** One entry, its types checked: `options`' result is what `run` takes. @template T @param {Demo<T>} d */
const demo = (d) => d;

export const DEMOS = {
  walkthrough: demo({
    about: 'the Dapr quickstart "Resiliency: State Management", checked step by step (npm start)',
    args: () => import("./demos/walkthrough/args.mjs"),
    run: async (o) => (await import("./demos/walkthrough/index.mjs")).runWalkthrough(o),
  }),
  compare: demo({
    about: "the three client styles side by side: latency, start-up, memory, the outage (npm run compare)",
    args: () => import("./demos/compare/args.mjs"),
    run: async (o) => (await import("./demos/compare/index.mjs")).runCompare(o),
  }),
  failover: demo({
    about: "Redis failing over under Sentinel while the app saves orders",
    args: () => import("./demos/failover/args.mjs"),
    run: async (o) => (await import("./demos/failover/index.mjs")).runFailover(o),
  }),
  lab: demo({
    about: "each resiliency policy under each way a state store fails (a real fault proxy): reports/lab.{md,svg,json}",
    args: () => import("./demos/lab/args.mjs"),
    run: async (o) => (await import("./demos/lab/index.mjs")).runLab(o),
  }),
  soak: demo({
    about: "four client styles at once under an hour of random, overlapping faults; nothing may be lost",
    args: () => import("./demos/soak/args.mjs"),
    run: async (o) => (await import("./demos/soak/index.mjs")).runSoakCommand(o),
  }),
};

export const group = defineGroup({ usage: "npx zx tools/demo.mjs", commands: DEMOS });

if (isEntry(import.meta.url))
  await main(async () => {
    const picked = group.pick(scriptArgs(import.meta.url));
    if (picked.help) {
      process.stdout.write(`${group.help()}\n`);
      return 0;
    }
    /** @type {Demo<any>} */
    const entry = DEMOS[picked.name];
    const { command, options } = await entry.args();
    const parsed = command.parse(picked.argv);
    if (parsed.help) return command.printHelp();
    /** @type {unknown} */
    let opts;
    try {
      opts = options(parsed, picked.argv); // every usage mistake is found here, before anything runs
    } catch (err) {
      // a value checked after parsing (numberFlag, …) shows the usage too, as the table's own errors do
      if (err instanceof UsageError && !(err.fix ?? "").includes(command.synopsis))
        throw command.fail(err.message, err.fix);
      throw err;
    }
    if (/** @type {Record<string, unknown>} */ (parsed.values).json === true) sendHumanOutputTo(process.stderr); // stdout is for the JSON result
    // The commands read the apps' lines with the library's parser (libs/order-model/dist):
    // on a fresh clone, build before loading them.
    await ensureBuilt();
    return entry.run(opts);
  });
