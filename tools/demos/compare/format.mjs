// @ts-check
// Number formats and the Markdown table shared by compare's report, targets and page.
import { ROW_LABELS } from "./steady.mjs";

/** @typedef {import("../../bench/lib/stats.mjs").Spread} Spread */

/** A Markdown table; numbers are already formatted by the caller. @param {string[]} header @param {string[][]} rows */
export function mdTable(header, rows) {
  const line = (/** @type {string[]} */ cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const fin = (/** @type {number | undefined} */ x) => x !== undefined && Number.isFinite(x);
/** ms with sensible digits. @param {number | undefined} x */
export const ms = (x) =>
  x === undefined || !Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
export const n0 = (/** @type {number | undefined} */ x) => (!fin(x) ? "–" : /** @type {number} */ (x).toFixed(0));
export const pct = (/** @type {number | undefined} */ x) =>
  x === undefined || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(0)} %`;
export const sign = (/** @type {number} */ x) => (!fin(x) ? "–" : `${x >= 0 ? "+" : ""}${ms(x)}`);
/** median (min–max) @param {Spread | undefined} sp */
export const rng = (sp, f = ms) => (sp ? `${f(sp.median)} (${f(sp.min)}–${f(sp.max)})` : "–");
export const s1 = (/** @type {number | undefined} */ x) =>
  !fin(x) ? "–" : `${/** @type {number} */ (x).toFixed(1)} s`;
export const label = (/** @type {string} */ r) => ROW_LABELS[r] ?? r;
