// @ts-check
// The verdict table, the outage timeline and the orders line, printed after
// each walkthrough, and the one-line-per-variant summary of --variant all.
import { chalk } from "zx";
import { heading, write } from "../../cli/console.mjs";

/** @typedef {import("./types.mjs").WalkResult} WalkResult */

/** @param {number | undefined} s */
const fmt = (s) => (s === undefined ? "—" : `${s.toFixed(1)} s`);

/**
 * The table lists every row the live stream printed, in the same order; a row
 * not met also shows why.
 * @param {WalkResult} r
 * @returns {string}
 */
export function formatVerdict(r) {
  const w = Math.max(0, ...r.expectations.map((x) => x.name.length));
  const rows = r.expectations.map((x) => {
    const when = x.at === undefined ? "" : `at ${x.at.toFixed(1)} s`;
    const why = !x.ok && x.detail ? chalk.dim(`(${x.detail})`) : "";
    const mark = x.ok ? chalk.green("✔ met    ") : chalk.red("✘ missing");
    return `  ${mark}  ${x.name.padEnd(w)}  ${[when, why].filter(Boolean).join(" ")}`.trimEnd();
  });
  const t = r.timeline;
  const o = r.orders;
  const deleted = o.deleted ? `; ${o.deleted} deleted by the app (it said so; not lost)` : "";
  const on = t.fault ? `fault ${t.fault} on` : "Redis down";
  const off = t.fault ? `fault cleared` : "Redis up";
  return [
    ...rows,
    "",
    `  Outage timeline: ${on} ${fmt(t.redisDown)} → first retry ${fmt(t.firstRetry)} → breaker open ${fmt(t.breakerOpen)} → half-open ${fmt(t.halfOpen)} → open again ${fmt(t.reopen)}`,
    `                   ${off} ${fmt(t.redisUp)} → recovered ${fmt(t.recovered)} → next order ${fmt(t.nextOrder)}`,
    `  Orders: ${o.before} saved before the outage, ${o.during} during, ${o.after} after${o.first === undefined ? "" : ` (ids ${o.first}..${o.last})`}${deleted}; lost ${o.lost}, repeated ${o.repeated}, skipped ${o.skipped}`,
  ].join("\n");
}

/** @param {WalkResult} r */
export function printVerdict(r) {
  heading(`Verdict for ${r.variant}: ${r.ok ? chalk.green("PASS") : chalk.red("FAIL")}`);
  write(`${formatVerdict(r)}\n`);
}

/** @param {WalkResult[]} results */
export function printSummary(results) {
  heading("All variants");
  for (const r of results)
    write(
      `  ${r.ok ? chalk.green("PASS") : chalk.red("FAIL")}  ${r.variant.padEnd(10)} ${(r.seconds ?? 0).toFixed(0)} s, orders ${r.orders.first}..${r.orders.last}, lost ${r.orders.lost}, repeated ${r.orders.repeated}\n`,
    );
}

/**
 * What stderr says when a walkthrough failed: each expectation not met.
 * @param {WalkResult[]} results
 */
export function notMet(results) {
  return results.flatMap((r) => r.expectations.filter((x) => !x.ok).map((x) => `${r.variant}: ${x.name}`));
}

/**
 * Reads a walkthrough's human output back (for tests): the rows the live stream
 * printed and the rows of each verdict table, colours removed.
 * @param {string} text
 * @returns {{ live: string[], table: string[] }} each as `✔ name` / `✘ name`
 */
export function readRows(text) {
  const plain = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ""); // eslint-disable-line no-control-regex
  const live = [];
  const table = [];
  for (const line of plain.split("\n")) {
    const l = /^\[\d{4}\] walkthrough ([✔✘]) (.*)$/.exec(line);
    if (l) live.push(`${l[1]} ${l[2]}`);
    const t = /^ {2}([✔✘]) (?:met {4}|missing) {2}(.*?)(?: {2,}.*)?$/.exec(line);
    if (t) table.push(`${t[1]} ${t[2]?.trimEnd()}`);
  }
  return { live, table };
}

/**
 * Where the table and the live stream disagree (for tests): a live row is the
 * table's row, or it followed by ` (detail)`. Empty when they agree.
 * @param {{ live: string[], table: string[] }} rows
 * @returns {string[]}
 */
export function rowDifferences({ live, table }) {
  const out = [];
  for (let i = 0; i < Math.max(live.length, table.length); i++) {
    const l = live[i];
    const t = table[i];
    if (l === undefined || t === undefined || (l !== t && !l.startsWith(`${t} (`)))
      out.push(`row ${i + 1}: live ${JSON.stringify(l)}, table ${JSON.stringify(t)}`);
  }
  return out;
}
