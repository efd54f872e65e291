// @ts-check
// What may differ between two honest runs of the same command, replaced by a
// placeholder before README blocks and real output are compared: seconds
// since start, durations, ports, pids, temporary paths, the home folder,
// attempt counts, and the padding that aligns columns around them. Lines
// that depend on what an earlier run left behind are left out altogether.
import os from "node:os";
import { stripVTControlCharacters } from "node:util";

/** Lines a run prints or not depending on the machine's state, not on the code. */
const STATE_DEPENDENT = [/left by an earlier run/];

/**
 * @param {string} line
 * @returns {boolean} true for a line the README neither shows nor compares
 */
export const isStateDependent = (line) => STATE_DEPENDENT.some((re) => re.test(line));

/**
 * @param {string} text output as printed (colours allowed)
 * @returns {string} one normalised string, lines joined by \n, no trailing blank lines
 */
export function normalise(text) {
  const home = os.homedir();
  return stripVTControlCharacters(text)
    .split("\n")
    .filter((line) => !isStateDependent(line))
    .map((line) =>
      line
        .replace(/^\[\d{4}\]/, "[····]")
        .replaceAll(home, "~")
        .replace(/(?:\/root|\/home\/[\w.-]+)(?=[/\s)]|$)/g, "~")
        .replace(/\/tmp\/[\w.-]+/g, "/tmp/‹dir›")
        .replace(/\b(HTTP|gRPC|metrics|port|pid|Port)\s+\d+/g, "$1 ‹n›")
        .replace(/(127\.0\.0\.1|localhost|\[::1\]):\d+/g, "$1:‹port›")
        .replace(/\bafter \d+ attempts\b/g, "after ‹n› attempts")
        .replace(/\b\d+(?:\.\d+)?\s?(?:ms|s|min)\b/g, "‹time›")
        .replace(/\s+/g, " ")
        .trimEnd(),
    )
    .join("\n")
    .replace(/\n+$/, "");
}
