// One way for every tool to fail: a message naming what is wrong, a line
// saying how to fix it, a non-zero exit, and no stack trace.
import { runCleanups } from "./cleanup.mjs";

export class ToolError extends Error {
  /** @param {string} message what is wrong  @param {string} [fix] the command or step that fixes it */
  constructor(message, fix, exitCode = 1) {
    super(message);
    this.fix = fix;
    this.exitCode = exitCode;
  }
}

export class UsageError extends ToolError {
  constructor(message, usage) {
    super(message, usage, 2);
  }
}

/** Runs a tool's main function; turns errors into a clear message and an exit code. */
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
    process.stderr.write(`\n✖ unexpected error: ${err?.message ?? err}\n`);
    if (process.env.DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.exit(1);
  }
}

/** The arguments after the script's own path, whether run as `zx tools/x.mjs` or `node tools/x.mjs`. */
export function scriptArgs(scriptUrl) {
  const name = scriptUrl.split("/").pop();
  return process.argv.slice(process.argv.findIndex((a) => a.endsWith(name)) + 1);
}
