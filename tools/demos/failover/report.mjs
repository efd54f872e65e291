// @ts-check
// How the failover demo shows its result: one verdict line per check as it
// happens, and per variant a table of rounds in the walkthrough's style
// (✔/✘ rows, a timeline, the audit).
import { chalk } from "zx";
import { heading, say, write } from "../../cli/console.mjs";

/**
 * @typedef {object} Row
 * @property {string} name
 * @property {boolean} ok
 * @property {string} detail
 * @property {boolean} [target] a timing goal: reported, but a miss does not fail the run
 */

/**
 * @typedef {object} NodeAudit
 * @property {number} port
 * @property {string} role      primary or replica
 * @property {number} missing   orders the app reported saved that this node lacks
 * @property {number} wrong     orders stored with another value
 */

/**
 * @typedef {object} RoundResult
 * @property {number} round
 * @property {number} oldPrimary
 * @property {number[]} oldReplicas
 * @property {number | undefined} newPrimary
 * @property {Record<string, number | undefined>} t   seconds after the kill: switch, asked, firstRetry, recovered, nextOrder, rejoined
 * @property {number | undefined} attempts   daprd's "Recovered … after N attempts"
 * @property {number} daprdRetries           daprd's retry warnings in the round
 * @property {boolean} breakerOpened
 * @property {number | undefined} lastBefore the last order saved before the kill
 * @property {number | undefined} next       the first order saved after it
 * @property {NodeAudit[]} audit
 * @property {{ repeated: number[], skipped: number[] }} sequence
 * @property {Row[]} rows
 * @property {boolean} ok
 */

/** Checks, printed as they are made. */
export class Verdict {
  constructor(source = "failover", { quiet = false } = {}) {
    /** @type {Row[]} */
    this.rows = [];
    this.source = source;
    this.quiet = quiet;
  }
  /**
   * @param {string} name
   * @param {unknown} ok
   * @param {string} [detail]
   * @param {{ target?: boolean }} [o]
   */
  check(name, ok, detail = "", { target = false } = {}) {
    this.rows.push({ name, ok: Boolean(ok), detail, ...(target ? { target } : {}) });
    if (this.quiet) return Boolean(ok);
    const mark = ok ? chalk.green("✔") : target ? chalk.yellow("✘") : chalk.red("✘");
    say(this.source, `${mark} ${name}${detail ? chalk.dim(` (${detail})`) : ""}${target && !ok ? " [target]" : ""}`);
    return Boolean(ok);
  }
  /** Every check met, timing targets aside. */
  get ok() {
    return this.rows.every((r) => r.ok || r.target);
  }
}

/** @param {number | undefined} s */
export const secs = (s) => (s === undefined ? "—" : `${s.toFixed(1)} s`);

/**
 * The timeline of one round, seconds after the primary was killed.
 * @param {RoundResult} r
 */
export function timelineText(r) {
  const t = r.t;
  /** @type {[string, number | undefined][]} */
  const marks = [
    ["+switch-master", t.switch],
    ["Sentinels answer the new primary", t.asked],
    ["daprd's first retry", t.firstRetry],
    [`daprd recovered (after ${r.attempts ?? "?"} attempts)`, t.recovered],
    ["next order", t.nextOrder],
    ["old primary replicating again", t.rejoined],
  ];
  const seen = marks
    .filter((m) => m[1] !== undefined)
    .sort((a, b) => /** @type {number} */ (a[1]) - /** @type {number} */ (b[1]))
    .map(([label, at]) => `${label} ${secs(at)}`);
  return ["kill 0.0 s", ...seen, ...(t.firstRetry === undefined ? ["(daprd saw no failed call)"] : [])].join(" → ");
}

/**
 * @typedef {object} VariantResult
 * @property {string} variant
 * @property {boolean} ok
 * @property {RoundResult[]} rounds
 * @property {Row[]} rows   checks outside the rounds (start, final audit, clean stop)
 * @property {{ saved: number, first: number | undefined, last: number | undefined, lost: number, repeated: number, skipped: number }} orders
 * @property {string} durability
 */

/** @param {VariantResult} v */
export function printVariant(v) {
  heading(
    `Verdict for ${v.variant} (${v.rounds.length} rounds, durability ${v.durability}): ${v.ok ? chalk.green("PASS") : chalk.red("FAIL")}`,
  );
  const rows = [
    ...v.rows.map((r) => ({ ...r, round: "" })),
    ...v.rounds.flatMap((r) => r.rows.map((x) => ({ ...x, round: `round ${r.round}` }))),
  ];
  const w = Math.max(...rows.map((x) => x.name.length));
  for (const x of rows) {
    const mark = x.ok ? chalk.green("✔ met    ") : x.target ? chalk.yellow("✘ target ") : chalk.red("✘ missing");
    write(`  ${mark}  ${x.round.padEnd(8)} ${x.name.padEnd(w)}  ${chalk.dim(x.detail)}\n`);
  }
  write("\n");
  for (const r of v.rounds) {
    write(`  Round ${r.round}: primary ${r.oldPrimary} killed → new primary ${r.newPrimary ?? "none"}\n`);
    write(`    ${timelineText(r)}\n`);
    write(
      `    breaker ${r.breakerOpened ? "opened" : "stayed closed"}; daprd retries ${r.daprdRetries}; orders ${r.lastBefore ?? "—"} → ${r.next ?? "—"}; ` +
        `audit ${r.audit.map((a) => `${a.role} ${a.port}: missing ${a.missing}, wrong ${a.wrong}`).join("; ")}\n`,
    );
  }
  const o = v.orders;
  write(
    `  Orders: ${o.saved} saved (ids ${o.first ?? "—"}..${o.last ?? "—"}); lost ${o.lost}, repeated ${o.repeated}, skipped ${o.skipped}\n`,
  );
}

/**
 * Median and worst of one timeline mark over rounds.
 * @param {RoundResult[]} rounds
 * @param {string} key
 */
export function markStats(rounds, key) {
  const xs = rounds
    .map((r) => r.t[key])
    .filter((x) => x !== undefined)
    .sort((a, b) => a - b);
  if (!xs.length) return undefined;
  return { median: xs[Math.floor((xs.length - 1) / 2)], max: xs.at(-1), n: xs.length };
}

/** @param {VariantResult[]} results */
export function printSummary(results) {
  heading("All variants");
  for (const v of results) {
    const sw = markStats(v.rounds, "switch");
    const next = markStats(v.rounds, "nextOrder");
    const opened = v.rounds.filter((r) => r.breakerOpened).length;
    write(
      `  ${v.ok ? chalk.green("PASS") : chalk.red("FAIL")}  ${v.variant.padEnd(5)} ${v.rounds.length} rounds; switch median ${secs(sw?.median)} (max ${secs(sw?.max)}); ` +
        `next order median ${secs(next?.median)} (max ${secs(next?.max)}); breaker opened in ${opened}; ` +
        `orders ${v.orders.saved}, lost ${v.orders.lost}, repeated ${v.orders.repeated}, skipped ${v.orders.skipped}\n`,
    );
  }
}
