// @ts-check
// How app and daprd lines are shown: daprd's noise is hidden unless
// --verbose; its resiliency, component and error lines always show.
import { chalk } from "zx";
import { say } from "./console.mjs";

/**
 * A line to show: as startSidecar reports it, or as a Recorder keeps it.
 * @typedef {{ source?: string, stream?: string, line?: string, msg?: string, level?: string, label?: string }} ShownLine
 */

const INTERESTING =
  /resiliency configuration|component loaded|shutting down component|circuit breaker|retrying|recovered/i;

/** @param {ShownLine} e */
function isInterestingDaprdLine(e) {
  if (!e.msg) return false;
  return ["error", "fatal"].includes(e.level ?? "") || INTERESTING.test(e.msg);
}

/**
 * Prints one app or daprd line; daprd's routine lines only with verbose.
 * @param {ShownLine} e
 * @param {{ verbose?: boolean }} [options]
 */
export function printEvent(e, { verbose = false } = {}) {
  if (e.source === "daprd") {
    if (!verbose && !isInterestingDaprdLine(e)) return;
    const text = e.msg ? `${e.level === "info" ? "" : `${String(e.level).toUpperCase()} `}${e.msg}` : (e.line ?? "");
    say("daprd", e.level === "error" || e.level === "fatal" ? chalk.red(text) : text);
  } else {
    say(e.label ?? "app", e.stream === "stderr" ? chalk.dim(e.line ?? "") : (e.line ?? ""));
  }
}
