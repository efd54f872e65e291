// @ts-check
// One way for every tool to fail: a message naming what is wrong, a line
// saying how to fix it, a non-zero exit, and no stack trace.
import { parseArgs } from "node:util";
import { runCleanups } from "./cleanup.mjs";

export class ToolError extends Error {
  /**
   * @param {string} message what is wrong
   * @param {string} [fix] the command or step that fixes it
   * @param {number} [exitCode] 1 for a failure, 2 for a usage mistake
   */
  constructor(message, fix, exitCode = 1) {
    super(message);
    this.fix = fix;
    this.exitCode = exitCode;
  }
}

/** A mistake at the command line: exit 2 with the usage. */
export class UsageError extends ToolError {
  /** @param {string} message  @param {string} usage */
  constructor(message, usage) {
    super(message, usage, 2);
  }
}

/**
 * Runs a tool's main function; turns errors into a clear message and an exit code.
 * @param {() => Promise<number | void>} fn returns the exit code (none: 0)
 */
export async function main(fn) {
  try {
    const code = await fn();
    await runCleanups();
    process.exit(typeof code === "number" ? code : 0);
  } catch (err) {
    await runCleanups();
    if (err instanceof ToolError) {
      process.stderr.write(`\n✖ ${err.message}\n`);
      if (err.fix) process.stderr.write(`  ${err.fix.replace(/\n/g, "\n  ")}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`\n✖ unexpected error: ${err instanceof Error ? err.message : err}\n`);
    if (process.env.DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  }
}

/** The arguments after the script's own path, whether run as `zx tools/x.mjs` or `node tools/x.mjs`. */
/** @param {string} scriptUrl the tool's import.meta.url  @returns {string[]} */
export function scriptArgs(scriptUrl) {
  const name = scriptUrl.split("/").pop() ?? scriptUrl;
  return process.argv.slice(process.argv.findIndex((a) => a.endsWith(name)) + 1);
}

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
