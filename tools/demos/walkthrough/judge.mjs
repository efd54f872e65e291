// @ts-check
// Step 6: stop the app as `dapr stop` does, then judge how it stopped and what
// Redis holds, and build the walkthrough's result.
import { heading } from "../../cli/console.mjs";
import { withRedisClient } from "../../stack/redis.mjs";
import { auditOrders } from "../../stack/recorder.mjs";
import { printVerdict } from "./report.mjs";
import { exitText } from "./app-exit.mjs";

/**
 * @typedef {import("./walk.mjs").Walk} Walk
 * @typedef {import("./types.mjs").WalkResult} WalkResult
 * @typedef {import("../../stack/recorder.mjs").OrderAudit} OrderAudit
 */

// sidecar.mjs's endProcess(): SIGTERM, then SIGKILL after 5 s (its default grace).
export const STOP_GRACE_MS = 5_000;

/**
 * Sends SIGTERM to the app (and then stops daprd); returns when it was sent.
 * @param {Walk} w
 * @returns {Promise<{ sigtermAt: number }>}
 */
export async function stopApp(w) {
  heading("6. Stop the app (as `dapr stop --app-id order-processor` does: SIGTERM) and check Redis");
  const sigtermAt = w.rec.now();
  await w.sidecar.stop();
  await w.sidecar.appExited;
  return { sigtermAt };
}

/**
 * Whether the app stopped cleanly: it ended after SIGTERM, within the grace
 * period (not killed), and lost nothing it reported. Ending by the signal's
 * default action (no handler) counts: that is how most apps end under `dapr stop`.
 * @param {import("./types.mjs").AppExit | undefined} exit
 * @param {{ sigtermAt: number } | undefined} stop
 * @param {OrderAudit} audit
 * @returns {{ ok: boolean, detail: string }}
 */
export function judgeStop(exit, stop, audit) {
  if (!exit) return { ok: false, detail: "the app's end was not seen" };
  if (!stop || exit.at < stop.sigtermAt)
    return {
      ok: false,
      detail: `the app ended by itself at ${exit.at.toFixed(1)} s with ${exitText(exit)}, before SIGTERM`,
    };
  const after = `${Math.max(0, exit.at - stop.sigtermAt).toFixed(1)} s after SIGTERM`;
  if (exit.signal === "SIGKILL")
    return { ok: false, detail: `still running ${STOP_GRACE_MS / 1000} s after SIGTERM: killed with SIGKILL` };
  const how = exit.signal === "SIGTERM" ? "ended by SIGTERM (its default action: no handler)" : exitText(exit);
  const lost = audit.lost ? `, but lost ${audit.lost} order(s) it reported saved` : ", nothing it reported lost";
  return {
    ok: audit.lost === 0,
    detail: `${how}, ${after} (grace ${STOP_GRACE_MS / 1000} s)${lost}`,
  };
}

/**
 * The last rows, from the app's exit and Redis; then the result, printed.
 * @param {Walk} w
 * @param {{ label: string, stop: { sigtermAt: number } | undefined, appId: string }} o
 * @returns {Promise<WalkResult>}
 */
export async function judge(w, { label, stop, appId }) {
  const { rec, v, t } = w;
  const saved = rec.savedOrders();
  const deleted = rec.deletedOrders();
  const endedBySignal = Boolean(w.appExit?.signal);
  const audit = await withRedisClient(w.redis, (client) =>
    auditOrders(saved, client, appId, deleted, { endedBySignal }),
  );
  const s = judgeStop(w.appExit, stop, audit);
  v.check("the app stops cleanly on SIGTERM", s.ok, s.detail, w.appExit?.at);
  if (w.outageRan && (w.expect === undefined || w.expect.breakerOpens === true))
    v.check(
      "daprd's metrics count the breaker opening",
      w.metricsOpen !== undefined,
      'dapr_resiliency_activations_total{policy="circuitbreaker",status="open"}',
      w.metricsOpen,
    );
  const deletedText = audit.deleted.length ? `, ${audit.deleted.length} deleted by the app` : "";
  const cutOffText =
    audit.cutOff === undefined
      ? ""
      : `; order ${audit.cutOff} is gone without a "deleted" line: the signal ended the app between its delete and its line`;
  v.check(
    "Redis holds every order the app reported saved, with its value",
    audit.lost === 0 && saved.length > 0,
    `${saved.length} saved${deletedText}, ${audit.missing.length} missing${audit.missing.length ? ` ${JSON.stringify(audit.missing)}` : ""}, ${audit.wrong.length} wrong${cutOffText}`,
  );
  v.check(
    "no order repeated or skipped",
    audit.repeated.length === 0 && audit.skipped.length === 0,
    `repeated ${JSON.stringify(audit.repeated)}, skipped ${JSON.stringify(audit.skipped)}`,
  );
  const before = w.outageRan ? w.before.length : saved.length;
  const during = w.during.length;
  /** @type {WalkResult} */
  const result = {
    variant: label,
    ok: v.ok,
    expectations: v.rows,
    timeline: t,
    orders: {
      before,
      during,
      after: saved.length - before - during,
      first: audit.first,
      last: audit.last,
      readBack: rec.orders("getting").length,
      deleted: audit.deleted.length,
      cutOff: audit.cutOff,
      lost: audit.lost,
      repeated: audit.repeated.length,
      skipped: audit.skipped.length,
    },
    exit: w.appExit
      ? {
          code: w.appExit.code ?? null,
          signal: w.appExit.signal ?? null,
          afterSigterm: stop !== undefined && w.appExit.at >= stop.sigtermAt,
        }
      : undefined,
    policy: w.policy,
  };
  printVerdict(result);
  return result;
}
