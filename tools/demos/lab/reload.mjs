// @ts-check
// `lab --reload`: daprd 1.18 watches its resources folder ("Hot reloading
// enabled … 'Resiliency' …"). Two cells start on the seed's policy (retry
// forever: under `refuse` the app sees no error) and get fail-fast's file
// (give up after 2 retries) written over it: one while all is well, before
// the fault (does the new policy apply?), one part-way through the fault,
// while a call waits in the old policy's retries (what becomes of it?).
// Measured: when daprd notices, when it has loaded the new policy, when the
// app first sees the new behaviour (an error), and daprd's own lines.
import { fault } from "../../stack/faults.mjs";
import { classify, resiliencyLines } from "../../stack/daprd-log.mjs";
import { POLICIES } from "./policies.mjs";
import { runCell } from "./cell.mjs";
import { measureCell } from "./measure.mjs";

/**
 * @typedef {object} ReloadScenario
 * @property {number} changedAtS           when the file was written, from the fault's start (negative: before it)
 * @property {number | null} noticedS      after the change: daprd's "Received Resiliency UPDATED event"
 * @property {number | null} loadedS       after the change: "Loading Resiliency configuration" again
 * @property {number | null} firstAppErrorS from the fault's start: the app's first failed call
 * @property {string | undefined} firstAppError  its line
 * @property {number} errorsBeforeChange   app errors between the fault and the change
 * @property {string | undefined} fatal    a fatal line of daprd's after the change (daprd exits on it)
 * @property {string[]} daprdAfter         daprd's warning/error lines after the change
 * @property {number} newBreakerOpens      the new policy's breaker opening after the change
 * @property {import("./measure.mjs").CellResult} cell
 */

/**
 * @typedef {object} ReloadResult
 * @property {string} from
 * @property {string} to
 * @property {string} fault
 * @property {ReloadScenario} idle     the file changed before the fault, no call waiting
 * @property {ReloadScenario} waiting  the file changed a third into the fault, a call waiting in the retries
 */

export const RELOAD = { from: "seed", to: "fail-fast", fault: "refuse" };

const policyNamed = (/** @type {string} */ n) =>
  /** @type {import("./policies.mjs").LabPolicy} */ (POLICIES.find((p) => p.name === n));

/**
 * Runs both reload cells, one after the other.
 * @param {{ toxiproxy: import("../../stack/toxiproxy.mjs").Toxiproxy, command: string[], faultMs: number }} o
 * @returns {Promise<{ idle: import("./cell.mjs").CellRun, waiting: import("./cell.mjs").CellRun }>}
 */
export async function runReloadCells({ toxiproxy, command, faultMs }) {
  /** @param {{ afterMs: number, beforeFault: boolean }} when */
  const one = (when) =>
    runCell({
      policy: policyNamed(RELOAD.from),
      fault: fault(RELOAD.fault),
      faultMs,
      baselineMs: 3_000,
      recoveryCapMs: 20_000,
      toxiproxy,
      command,
      breakerName: "simpleCB-statestore",
      reload: { policy: policyNamed(RELOAD.to), ...when },
    });
  const idle = await one({ afterMs: 2_000, beforeFault: true });
  const waiting = await one({ afterMs: Math.round(faultMs / 3), beforeFault: false });
  return { idle, waiting };
}

/**
 * What one reload cell shows.
 * @param {import("./cell.mjs").CellRun} run
 * @returns {ReloadScenario}
 */
function readScenario(run) {
  const cell = measureCell(run);
  const changed = run.reloaded?.at ?? run.marks.faultOn;
  const after = run.events.filter((e) => e.at >= changed);
  const r2 = (/** @type {number} */ x) => Math.round(x * 100) / 100;
  const since = (/** @type {{ at: number } | undefined} */ e) => (e ? r2(e.at - changed) : null);
  const isErr = (/** @type {import("../../stack/recorder.mjs").RecordedEvent} */ e) =>
    e.source === "app" && e.stream === "stderr" && /fail|error/i.test(e.line ?? "");
  const firstErr = run.events.find((e) => e.at >= run.marks.faultOn && isErr(e));
  const lines = resiliencyLines("statestore", "failFastCB-statestore");
  return {
    changedAtS: r2(changed - run.marks.faultOn),
    noticedS: since(after.find((e) => /^Received Resiliency (UPDATED|CREATED) event/.test(e.msg ?? ""))),
    loadedS: since(after.find((e) => /^Loading Resiliency configuration/.test(e.msg ?? ""))),
    firstAppErrorS: firstErr ? r2(firstErr.at - run.marks.faultOn) : null,
    firstAppError: firstErr?.line,
    errorsBeforeChange: run.events.filter((e) => e.at >= run.marks.faultOn && e.at < changed && isErr(e)).length,
    fatal: after.find((e) => e.source === "daprd" && e.level === "fatal")?.msg,
    daprdAfter: after
      .filter((e) => e.source === "daprd" && ["warning", "error", "fatal"].includes(e.level ?? ""))
      .map((e) => `${e.level}: ${e.msg}`)
      .filter((m, i, all) => all.indexOf(m) === i)
      .slice(0, 8),
    newBreakerOpens: after.filter((e) => {
      const c = classify(e, lines);
      return c?.kind === "transition" && c.to === "open";
    }).length,
    cell,
  };
}

/**
 * @param {{ idle: import("./cell.mjs").CellRun, waiting: import("./cell.mjs").CellRun }} runs
 * @returns {ReloadResult}
 */
export function readReload(runs) {
  return { ...RELOAD, idle: readScenario(runs.idle), waiting: readScenario(runs.waiting) };
}
