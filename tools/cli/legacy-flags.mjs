// @ts-check
// The hand-rolled help and flag helpers the tools used before cli/command.mjs;
// going away as each tool moves to defineCommand (issue 15). Do not use.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.mjs";

/**
 * True when the arguments ask for help: -h or --help before any `--` (what follows `--` is the app's).
 * @param {string[]} args
 */
export function wantsHelp(args) {
  const dd = args.indexOf("--");
  return (dd >= 0 ? args.slice(0, dd) : args).some((a) => a === "--help" || a === "-h");
}

/**
 * Prints a tool's usage on stdout, for --help: exit 0.
 * @param {string} usage
 * @returns {0}
 */
export function printUsage(usage) {
  process.stdout.write(`${usage}\n`);
  return 0;
}

/**
 * A tool's flags, parsed strictly (unknown flags, missing values and positionals are refused): a
 * mistake is a UsageError that carries the tool's usage.
 * @template {NonNullable<import("node:util").ParseArgsConfig["options"]>} const O
 * @param {string[]} args
 * @param {O} options
 * @param {string} usage
 * @returns {ReturnType<typeof parseArgs<{ args: string[], options: O, strict: true, allowPositionals: false }>>["values"]}
 */
export function parseFlags(args, options, usage) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), usage);
  }
}
