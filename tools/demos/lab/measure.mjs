// @ts-check
// The numbers of one cell, read from what it recorded (cell.mjs): times are
// seconds from the moment the fault was applied. Pure: unit-tested on
// recorded events in measure.spec.mjs.
import { classify, resiliencyLines } from "../../stack/daprd-log.mjs";
import { summarize } from "../../bench/lib/stats.mjs";
import { readAttempts } from "./attempts.mjs";

/** The app's pause between an order's read-back and the next save (ORDER_INTERVAL_MS, set by cell.mjs). */
export const INTERVAL_S = 0.5;
/** An app line that reports a failed call (the project's apps: "Save of order 3 failed: …"; others: fail/error). */
const APP_ERROR = /\b(fail(ed|ure)?|error|exception)\b/i;
/** The project's order loop says so once per failed call; the SDK logs its own ERROR line beside it, not counted then. */
const LOOP_ERROR = /\b(Save|Get|Delete) of order \d+ failed\b/;

/**
 * @typedef {object} Timeline  everything in s from the fault's start
 * @property {number} from         the first order of the baseline
 * @property {number} faultEnd
 * @property {number} end
 * @property {number[]} saves      orders the app reported saved
 * @property {number[]} errors     failed calls the app reported
 * @property {{ from: number, to: number, state: "open" | "half-open" }[]} breaker
 * @property {number | undefined} reloaded  --reload: when the policy file changed
 */

/**
 * @typedef {object} CellResult
 * @property {string} policy
 * @property {string} fault
 * @property {number} faultS
 * @property {string | undefined} error     the cell could not run
 * @property {number | null} stallS         the longest time without a saved order around the fault
 * @property {boolean} stallOpen            no order came after the fault within the wait: stallS is a lower bound
 * @property {number} savedDuring
 * @property {number} appErrors             failed calls the app reported, from the fault to the end
 * @property {number | null} firstErrorS
 * @property {{ p50: number, p99: number, n: number } | null} latencyDuring  app-seen save latency, ms
 * @property {{ p50: number, p99: number, n: number } | null} latencyBefore
 * @property {number} retries               daprd's retry lines (one per operation that failed, not per attempt)
 * @property {number | null} firstRetryS    the first one: how long the first attempt took to fail
 * @property {{ at: number, from: string, to: string }[]} transitions  the breaker's
 * @property {number | null} firstOpenS
 * @property {Record<string, number>} activations  dapr_resiliency_activations_total by policy kind
 * @property {string | undefined} metricsNote why there are no metrics
 * @property {number | null} cmdsPerOrderBefore
 * @property {number | null} cmdsPerOrderDuring  null: no order saved during the fault
 * @property {number | null} loadRatio      Redis commands per second during the fault / before it
 * @property {number | null} recoveryS      from the fault clearing to the next saved order
 * @property {import("./attempts.mjs").Attempts | null} attempts  faults with `monitor`: each write attempt Redis received during the fault
 * @property {{ lost: number, repeated: number, skipped: number } | null} audit
 * @property {string} verdict
 * @property {boolean} clean               the audit found nothing lost, repeated or skipped
 * @property {Timeline} timeline
 */

const r1 = (/** @type {number} */ x) => Math.round(x * 10) / 10;
const r2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;

/**
 * @param {number[]} ms
 * @returns {{ p50: number, p99: number, n: number } | null}
 */
function lat(ms) {
  if (!ms.length) return null;
  const s = summarize(ms);
  return { p50: Math.round(s.p50), p99: Math.round(s.p99), n: s.n };
}

/**
 * @param {import("./cell.mjs").CellRun} run
 * @param {{ component?: string }} [o]
 * @returns {CellResult}
 */
export function measureCell(run, { component = "statestore" } = {}) {
  const t0 = run.marks.faultOn;
  const faultS = run.faultMs / 1000;
  const faultEnd = run.marks.clearing - t0; // the fault's last moment: saves after it came once it was lifting
  const clearedAt = run.marks.faultOff - t0;
  const end = run.marks.end - t0;
  const rel = (/** @type {number} */ at) => r2(at - t0);
  const saves = run.events.filter((e) => e.order?.kind === "saving" && e.at >= run.marks.baseline - 0.01);
  const saveTimes = saves.map((e) => rel(e.at));
  const gets = run.events.filter((e) => e.order?.kind === "getting");
  const stderr = run.events.filter((e) => e.source === "app" && e.stream === "stderr");
  const errorLine = stderr.some((e) => LOOP_ERROR.test(e.line ?? "")) ? LOOP_ERROR : APP_ERROR;
  const errors = stderr.filter((e) => errorLine.test(e.line ?? "")).map((e) => rel(e.at));
  const lines = resiliencyLines(component, run.breakerName);
  let retries = 0;
  /** @type {number | null} */
  let firstRetryS = null;
  /** @type {CellResult["transitions"]} */
  const transitions = [];
  for (const e of run.events) {
    const c = classify(e, lines);
    if (c?.kind === "retry" && e.at >= t0) {
      retries++;
      firstRetryS ??= rel(e.at);
    }
    if (c?.kind === "transition") transitions.push({ at: rel(e.at), from: c.from, to: c.to });
  }
  // The longest gap between two saved orders that overlaps the fault (or runs to the end).
  let stallS = null;
  let stallOpen = false;
  const inside = saveTimes.filter((t) => t > 0 && t <= faultEnd);
  const before = saveTimes.filter((t) => t <= 0).at(-1);
  const after = saveTimes.find((t) => t > faultEnd);
  const points = [before ?? 0, ...inside, after ?? end];
  if (after === undefined) stallOpen = true;
  for (let i = 1; i < points.length; i++) {
    const gap = /** @type {number} */ (points[i]) - /** @type {number} */ (points[i - 1]);
    stallS = Math.max(stallS ?? 0, gap);
  }
  // App-seen save latency: from the previous order's read-back plus the app's pause to this save.
  /** @type {{ at: number, ms: number }[]} */
  const latencies = [];
  for (const s of saves) {
    const prevGet = gets.filter((g) => g.order && s.order && g.order.id === s.order.id - 1 && g.at <= s.at).at(-1);
    if (prevGet) latencies.push({ at: rel(s.at), ms: Math.max(0, (s.at - prevGet.at - INTERVAL_S) * 1000) });
  }
  /** @type {Record<string, number>} */
  const activations = {};
  let metricsNote;
  for (const l of run.metrics) {
    const m = /^dapr_resiliency_activations_total\{([^}]*)\}\s+(\S+)/.exec(l);
    if (m) {
      const kind = /policy="([^"]*)"/.exec(m[1] ?? "")?.[1] ?? "?";
      activations[kind] = (activations[kind] ?? 0) + Number(m[2]);
    } else if (!l.startsWith("dapr_resiliency_")) metricsNote = l;
  }
  const c = run.commands;
  const baselineS = t0 - run.marks.baseline;
  const savedBefore = saveTimes.filter((t) => t <= 0).length;
  const perOrder = (/** @type {number | null} */ a, /** @type {number | null} */ b, /** @type {number} */ n) =>
    a !== null && b !== null && n > 0 ? r1((b - a) / n) : null;
  const cmdsPerOrderBefore = perOrder(c.baseline, c.faultOn, savedBefore);
  // Redis restarted (stop): it received nothing during the fault.
  const during = run.restartedRedis ? 0 : c.faultOn !== null && c.faultOff !== null ? c.faultOff - c.faultOn : null;
  const cmdsPerOrderDuring = during !== null && inside.length ? r1(during / inside.length) : null;
  const rateBefore =
    c.baseline !== null && c.faultOn !== null && baselineS > 0 ? (c.faultOn - c.baseline) / baselineS : null;
  const loadRatio = during !== null && rateBefore ? r2(during / faultS / rateBefore) : null;
  const recoveryS = after === undefined ? null : r2(Math.max(0, after - clearedAt));
  const firstErrorS = errors.find((t) => t >= 0) ?? null;
  const appErrors = errors.filter((t) => t >= 0).length;
  const firstOpen = transitions.find((t) => t.to === "open" && t.at >= 0);
  /** @type {Timeline["breaker"]} */
  const breaker = [];
  for (let i = 0; i < transitions.length; i++) {
    const t = /** @type {{ at: number, from: string, to: string }} */ (transitions[i]);
    if (t.to === "closed") continue;
    breaker.push({ from: t.at, to: transitions[i + 1]?.at ?? end, state: /** @type {"open" | "half-open"} */ (t.to) });
  }
  const audit = run.audit
    ? { lost: run.audit.lost, repeated: run.audit.repeated.length, skipped: run.audit.skipped.length }
    : null;
  const clean = !!audit && audit.lost === 0 && audit.repeated === 0 && audit.skipped === 0;
  /** @type {Omit<CellResult, "verdict">} */
  const result = {
    policy: run.policy,
    fault: run.fault,
    faultS,
    error: run.error,
    stallS: stallS === null ? null : r1(stallS),
    stallOpen,
    savedDuring: inside.length,
    appErrors,
    firstErrorS,
    latencyDuring: lat(latencies.filter((l) => l.at > 0 && l.at <= faultEnd).map((l) => l.ms)),
    latencyBefore: lat(latencies.filter((l) => l.at <= 0).map((l) => l.ms)),
    retries,
    firstRetryS,
    transitions,
    firstOpenS: firstOpen ? firstOpen.at : null,
    activations,
    metricsNote,
    cmdsPerOrderBefore,
    cmdsPerOrderDuring,
    loadRatio,
    recoveryS,
    attempts: run.writes ? readAttempts(run.writes, t0, run.marks.clearing) : null,
    audit,
    clean,
    timeline: {
      from: r2(run.marks.baseline - t0),
      faultEnd: r2(faultEnd),
      end: r2(end),
      saves: saveTimes,
      errors,
      breaker,
      reloaded: run.reloaded ? rel(run.reloaded.at) : undefined,
    },
  };
  return { ...result, verdict: verdict(result) };
}

/**
 * A cell in a few words: what the app saw, then what the store took.
 * @param {Omit<CellResult, "verdict">} r
 */
export function verdict(r) {
  if (r.error) return "did not run";
  const words = [];
  if (!r.clean) {
    const a = r.audit;
    words.push(a ? `LOST ${a.lost}, repeated ${a.repeated}, skipped ${a.skipped}` : "not audited");
  }
  if (r.recoveryS === null) words.push("no order after the fault");
  const early = (r.firstErrorS ?? Infinity) <= 5;
  if (r.stallS !== null && r.stallS >= 0.8 * r.faultS)
    words.push(r.appErrors === 0 ? "holds the app" : early ? "fails fast" : "fails late");
  else if (r.appErrors > 0) words.push(`errors reach the app`);
  else if (r.latencyDuring && r.latencyBefore && r.latencyDuring.p50 > r.latencyBefore.p50 + 150)
    words.push("slows down");
  else words.push("rides through");
  if (r.loadRatio !== null && r.loadRatio >= 2) words.push(`hammers ×${r.loadRatio.toFixed(1)}`);
  return words.join(", ");
}
