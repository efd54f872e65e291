// @ts-check
// `lab --reload`: daprd 1.18 watches its resources folder ("Hot reloading
// enabled … 'Resiliency' …"). One cell under `refuse` starts on the seed's
// policy (retry forever: the app sees no error); part-way through the fault
// the file is replaced by fail-fast's (give up after 2 retries). Measured:
// when daprd notices, when it has loaded the new policy, when the app first
// sees the new behaviour (an error), and what became of the call that was
// already waiting in the old policy's retries.
import { fault } from "../../stack/faults.mjs";
import { classify, resiliencyLines } from "../../stack/daprd-log.mjs";
import { POLICIES } from "./policies.mjs";
import { runCell } from "./cell.mjs";
import { measureCell } from "./measure.mjs";

/**
 * @typedef {object} ReloadResult
 * @property {string} from
 * @property {string} to
 * @property {string} fault
 * @property {number} changedAtS           into the fault, when the file was written
 * @property {number | null} noticedS      after the change: daprd's "Received Resiliency UPDATED event"
 * @property {number | null} loadedS       after the change: "Loading Resiliency configuration" again
 * @property {number | null} firstAppErrorS after the change: the app's first failed call
 * @property {string | undefined} firstAppError  its line
 * @property {number} errorsBeforeChange   app errors between the fault and the change (the seed retries: 0 expected)
 * @property {string[]} daprdAfter         daprd's warning/error lines after the change (the reload's side effects)
 * @property {number} newBreakerTransitions  transitions of the new policy's breaker after the change
 * @property {import("./measure.mjs").CellResult} cell
 */

const policyNamed = (/** @type {string} */ n) =>
  /** @type {import("./policies.mjs").LabPolicy} */ (POLICIES.find((p) => p.name === n));

export const RELOAD = { from: "seed", to: "fail-fast", fault: "refuse" };

/**
 * Runs the reload cell: the seed's policy under refuse, fail-fast's written over it a third into the fault.
 * @param {{ toxiproxy: import("../../stack/toxiproxy.mjs").Toxiproxy, command: string[], faultMs: number }} o
 * @returns {Promise<import("./cell.mjs").CellRun>}
 */
export function runReloadCell({ toxiproxy, command, faultMs }) {
  return runCell({
    policy: policyNamed(RELOAD.from),
    fault: fault(RELOAD.fault),
    faultMs,
    baselineMs: 3_000,
    recoveryCapMs: 20_000,
    toxiproxy,
    command,
    breakerName: "simpleCB-statestore",
    reload: { policy: policyNamed(RELOAD.to), afterMs: Math.round(faultMs / 3) },
  });
}

/**
 * What the reload cell shows.
 * @param {import("./cell.mjs").CellRun} run
 * @returns {ReloadResult}
 */
export function readReload(run) {
  const cell = measureCell(run);
  const changed = run.reloaded?.at ?? run.marks.faultOn;
  const after = run.events.filter((e) => e.at >= changed);
  const since = (/** @type {{ at: number } | undefined} */ e) => (e ? Math.round((e.at - changed) * 100) / 100 : null);
  const noticed = after.find((e) => /^Received Resiliency (UPDATED|CREATED) event/.test(e.msg ?? ""));
  const loaded = after.find((e) => /^Loading Resiliency configuration/.test(e.msg ?? ""));
  const isErr = (/** @type {import("../../stack/recorder.mjs").RecordedEvent} */ e) =>
    e.source === "app" && e.stream === "stderr" && /fail|error/i.test(e.line ?? "");
  const firstErr = after.find(isErr);
  const lines = resiliencyLines("statestore", "failFastCB-statestore");
  return {
    from: RELOAD.from,
    to: RELOAD.to,
    fault: RELOAD.fault,
    changedAtS: Math.round((changed - run.marks.faultOn) * 100) / 100,
    noticedS: since(noticed),
    loadedS: since(loaded),
    firstAppErrorS: since(firstErr),
    firstAppError: firstErr?.line,
    errorsBeforeChange: run.events.filter((e) => e.at >= run.marks.faultOn && e.at < changed && isErr(e)).length,
    daprdAfter: after
      .filter((e) => e.source === "daprd" && ["warning", "error", "fatal"].includes(e.level ?? ""))
      .map((e) => `${e.level}: ${e.msg}`)
      .filter((m, i, all) => all.indexOf(m) === i)
      .slice(0, 8),
    newBreakerTransitions: after.filter((e) => classify(e, lines)?.kind === "transition").length,
    cell,
  };
}
