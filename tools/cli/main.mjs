// @ts-check
// A tool's outermost frame: whether it is the script being run, its
// arguments, and its end (clean-ups run, errors printed as a message and a
// fix, the exit code set) on every way out.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCleanups } from "./cleanup.mjs";
import { ToolError } from "./errors.mjs";

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
 * True when `scriptUrl` is the script this process runs (`node x.mjs` or `zx x.mjs`), not a module a
 * test imported: a tool runs its main only then, and exports its command table either way.
 * @param {string} scriptUrl the tool's import.meta.url
 */
export function isEntry(scriptUrl) {
  const file = fileURLToPath(scriptUrl);
  return process.argv.slice(1, 3).some((a) => path.resolve(a) === file);
}

/**
 * A tool's frame: when it is the script being run, its arguments parsed by its command table
 * (-h/--help: the help on stdout, exit 0; a mistake: exit 2), then `fn` inside main.
 * @template {Record<string, import("./command.mjs").Flag>} F
 * @param {string} scriptUrl the tool's import.meta.url
 * @param {ReturnType<typeof import("./command.mjs").defineCommand<F>>} command
 * @param {(parsed: import("./command.mjs").Parsed<F>) => Promise<number | void>} fn returns the exit code
 */
export async function runTool(scriptUrl, command, fn) {
  if (!isEntry(scriptUrl)) return;
  await main(async () => {
    const parsed = command.parse(scriptArgs(scriptUrl));
    return parsed.help ? command.printHelp() : fn(parsed);
  });
}
