// @ts-check
// The verdict's rows: every expectation is checked once, printed in the live
// stream as it is decided, and kept for the table, which lists the same rows.
import { chalk } from "zx";
import { say } from "../../cli/console.mjs";

/** @typedef {import("./types.mjs").Row} Row */

export class Verdict {
  constructor() {
    /** @type {Row[]} */
    this.rows = [];
  }
  /**
   * Records one expectation and prints it.
   * @param {string} name
   * @param {unknown} ok
   * @param {string} [detail]
   * @param {number} [at] when it was met, seconds since the tool started
   * @returns {boolean}
   */
  check(name, ok, detail = "", at) {
    const row = { name, ok: Boolean(ok), detail, at };
    this.rows.push(row);
    say("walkthrough", liveLine(row), at);
    return row.ok;
  }
  get ok() {
    return this.rows.every((r) => r.ok);
  }
}

/**
 * A row as the live stream shows it: `✔ name (detail)`.
 * @param {Row} row
 */
export function liveLine(row) {
  return `${row.ok ? chalk.green("✔") : chalk.red("✘")} ${row.name}${row.detail ? chalk.dim(` (${row.detail})`) : ""}`;
}
