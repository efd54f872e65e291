// @ts-check
// One way for every tool to fail: a message naming what is wrong, a line
// saying how to fix it and an exit code (main.mjs prints them, no stack trace).

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
