// @ts-check
// daprd's log lines, read in one place: the logfmt parser and the resiliency
// lines the walkthrough, compare, failover and the tests look for.
//
// Accepted wording: daprd 1.18's lines, and the seed's older release, which
// differ only in how they end ("Retrying in 5s…" vs "Retrying...",
// "output after 7 attempts" vs "output."). The start of each line, the
// component and the breaker name must match exactly.

/**
 * @typedef {object} DaprdLine
 * @property {string | undefined} level  info, warning, error, fatal, debug
 * @property {string} msg
 * @property {string | undefined} scope  e.g. dapr.runtime
 * @property {Record<string, string>} fields every key=value of the line
 */

/**
 * Parses one of daprd's logfmt lines: time="…" level=info msg="…" key=value…
 * @param {string} line
 * @returns {DaprdLine | undefined} undefined for anything that is not a daprd log line
 */
export function parseDaprdLine(line) {
  if (!line.startsWith("time=")) return undefined;
  /** @type {Record<string, string>} */
  const fields = {};
  for (const m of line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const [, key = "", raw = ""] = m;
    fields[key] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\"/g, '"') : raw;
  }
  return fields.msg === undefined ? undefined : { level: fields.level, msg: fields.msg, scope: fields.scope, fields };
}

/** @param {string} s */
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * @typedef {object} ResiliencyLines
 * @property {RegExp} retry      a failed attempt: daprd logs it once per operation
 * @property {RegExp} transition the breaker changing state; groups: from, to
 * @property {RegExp} recovered  the operation succeeded after failures; group 1: attempts (1.18 only)
 */

/**
 * The resiliency lines for one component and its breaker.
 * @param {string} [component] the component name, e.g. statestore
 * @param {string} [breaker] the breaker's name as daprd prints it: "<policy>-<component>"
 * @returns {ResiliencyLines}
 */
export function resiliencyLines(component = "statestore", breaker = `simpleCB-${component}`) {
  const op = `component\\[${escape(component)}\\] output`;
  return {
    retry: new RegExp(`^Error processing operation ${op}\\. Retrying(?: in \\S+|\\.\\.\\.)`),
    transition: new RegExp(
      `^Circuit breaker "${escape(breaker)}" changed state from (closed|open|half-open) to (closed|open|half-open)$`,
    ),
    recovered: new RegExp(`^Recovered processing operation ${op}(?: after (\\d+) attempts|\\.)`),
  };
}

/**
 * @typedef {{ source?: string, msg?: string }} LogEvent
 */

/**
 * Which resiliency line an event is, if any.
 * @param {LogEvent} e
 * @param {ResiliencyLines} lines
 * @returns {{ kind: "retry" } | { kind: "transition", from: string, to: string } | { kind: "recovered", attempts: number | undefined } | undefined}
 */
export function classify(e, lines) {
  if (e.source !== undefined && e.source !== "daprd") return undefined;
  const msg = e.msg ?? "";
  if (lines.retry.test(msg)) return { kind: "retry" };
  const t = lines.transition.exec(msg);
  if (t) return { kind: "transition", from: t[1] ?? "", to: t[2] ?? "" };
  const r = lines.recovered.exec(msg);
  if (r) return { kind: "recovered", attempts: r[1] === undefined ? undefined : Number(r[1]) };
  return undefined;
}

/**
 * How daprd 1.18 says that its start failed, whatever its health endpoint answers afterwards
 * (pkg/runtime/processor/components.go, pkg/resiliency/resiliency.go):
 * - a component it could not initialise: it goes on to start its servers and report ready for a
 *   moment, then exits (the processor's error ends the runtime only then);
 * - a resiliency file or policy it could not read: it logs the error and runs on without that
 *   policy, no retries, no breaker, as if the file were not there.
 * @type {{ re: RegExp, what: "component" | "resiliency" }[]}
 */
const START_FAILURES = [
  { re: /^Failed to init component /, what: "component" },
  { re: /^Error processing component, daprd will exit gracefully/, what: "component" },
  { re: /^Could not read resiliency policy /, what: "resiliency" },
  { re: /^Could not (?:read|parse) resiliency file /, what: "resiliency" },
  { re: /^Could not determine resource type/, what: "resiliency" }, // only the resiliency loader says this
  { re: /^Failed to read resiliency files from path /, what: "resiliency" },
];

/**
 * Whether one of daprd's lines means its start failed, and what failed.
 * @param {{ level?: string, msg?: string }} e a parsed daprd line
 * @returns {"component" | "resiliency" | undefined}
 */
export function startFailure(e) {
  if (!e.msg || !["error", "warning", "fatal"].includes(e.level ?? "")) return undefined;
  return START_FAILURES.find((f) => f.re.test(e.msg ?? ""))?.what;
}
