// @ts-check
// Test-only: one app through one fault, and the promise checked afterwards
// (no order lost, none repeated, resumed at the next id). Used by
// tools/e2e/faults.int.spec.mjs.
import { startApp as startAppUntyped } from "../../stack/isolated-stack.mjs";
import { auditOrders } from "../../stack/recorder.mjs";
import { withRedisClient } from "../../stack/redis.mjs";
import { resiliencyLines } from "../../stack/daprd-log.mjs";

export const VARIANTS = ["sdk", "http", "grpc"];
export const APP_ARGS = ["--interval-ms", "100"];
export const APP_ENV = { ORDER_RETRY_PAUSE_MS: "200" };
/** daprd's resiliency lines for the state store (the one place they are matched). */
export const STATESTORE = resiliencyLines();

/**
 * @typedef {import("../../stack/recorder.mjs").RecordedEvent} Event
 * @typedef {import("../../stack/recorder.mjs").Recorder} Recorder
 * @typedef {import("../../stack/redis.mjs").LocalRedis} LocalRedis
 * @typedef {{ code: number | null, signal?: string | null, error?: string }} Exit
 * @typedef {object} Sidecar
 * @property {import("node:child_process").ChildProcess} daprd
 * @property {string[]} daprdArgs
 * @property {Promise<unknown>} daprdExited
 * @property {Promise<Exit>} appExited
 * @property {() => Promise<void>} stop the app (SIGTERM), then daprd
 * @typedef {object} StartedApp what startApp (isolated-stack.mjs, not typed yet) returns
 * @property {Sidecar} sidecar
 * @property {Recorder} recorder
 * @property {() => Promise<void>} stop
 * @typedef {object} AppOptions
 * @property {LocalRedis} redis
 * @property {string} variant
 * @property {string} [appId]
 * @property {string[]} [appArgs]
 * @property {Record<string, string>} [env]
 * @property {{ replace?: Record<string, string> }} [resources]
 */

export const startApp = /** @type {(o: AppOptions) => Promise<StartedApp>} */ (
  /** @type {unknown} */ (startAppUntyped)
);

/** The project's policy, shortened for tests; with `scopes` it applies to those app-ids only. */
export const shortResiliency = (
  scopes = ["order-processor"],
) => `# test resources only: resources/resiliency.yaml with short intervals
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: fault-test-resiliency
scopes:
${scopes.map((s) => `  - ${s}`).join("\n")}
spec:
  policies:
    retries:
      retryForever:
        policy: constant
        duration: 500ms
        maxRetries: -1
    timeouts:
      stateCall: 2s
    circuitBreakers:
      simpleCB:
        maxRequests: 1
        timeout: 2s
        trip: consecutiveFailures >= 5
  targets:
    components:
      statestore:
        outbound:
          retry: retryForever
          timeout: stateCall
          circuitBreaker: simpleCB
`;
export const SHORT = { replace: { "resiliency.yaml": shortResiliency() } };

/** @param {Recorder} rec */
export const lastSaved = (rec) => rec.savedOrders().at(-1) ?? 0;

/** The last lines both processes printed, for failure messages. @param {Recorder} rec */
export function tail(rec, n = 30) {
  return /** @type {Event[]} */ (rec.events)
    .slice(-n)
    .map((e) => `  ${e.at.toFixed(1)} ${e.source} ${e.msg ?? e.line}`)
    .join("\n");
}

/**
 * Waits until the app has read back order `id` (or a later one).
 * @param {Recorder} rec @param {number} id @param {number} timeoutMs @param {string} when
 */
export async function waitForOrder(rec, id, timeoutMs, when) {
  const e = await rec.waitFor((/** @type {Event} */ e) => e.order?.kind === "getting" && e.order.id >= id, {
    timeoutMs,
  });
  if (!e)
    throw new Error(
      `${when}: order ${id} not read back within ${timeoutMs / 1000} s (last saved: ${lastSaved(rec)})\n${tail(rec)}`,
    );
}

/**
 * @typedef {object} FaultRun
 * @property {StartedApp} app
 * @property {Recorder} rec
 * @property {number} faultFrom index of the first event after the fault began
 * @property {number} recoveredFrom index of the first event after the fault ended
 * @property {number} lastBefore the last order saved before the fault
 * @property {Exit} exit
 */

/**
 * Starts the app, lets it save 5 orders, injects the fault, waits for 5 more
 * orders after it, stops the app (SIGTERM) and returns what it reported.
 * @param {{ variant: string, redis: LocalRedis, cleanups: (() => unknown)[], inject: (app: StartedApp) => Promise<void>,
 *   env?: Record<string, string>, appId?: string, resources?: AppOptions["resources"] }} o
 * @returns {Promise<FaultRun>}
 */
export async function runThroughFault({ variant, redis, cleanups, inject, env = {}, appId, resources = SHORT }) {
  const app = await startApp({ redis, variant, appId, appArgs: APP_ARGS, env: { ...APP_ENV, ...env }, resources });
  cleanups.push(() => app.stop());
  const rec = app.recorder;
  await waitForOrder(rec, 5, 30_000, `${variant}: before the fault`);
  const faultFrom = rec.events.length;
  const lastBefore = lastSaved(rec);
  await inject(app);
  const recoveredFrom = rec.events.length;
  await waitForOrder(rec, lastSaved(rec) + 5, 90_000, `${variant}: after the fault`);
  await app.sidecar.stop();
  const exit = await app.sidecar.appExited;
  return { app, rec, faultFrom, recoveredFrom, lastBefore, exit };
}

/**
 * The promise: exit 0, the summary names the last saved order, Redis holds
 * every reported order, none skipped or repeated, resumed at the next id.
 * @param {import("vitest").ExpectStatic} expect
 * @param {{ rec: Recorder, redis: LocalRedis, faultFrom: number, lastBefore: number, exit: Exit }} run
 */
export async function expectPromiseKept(
  expect,
  { rec, redis, faultFrom, lastBefore, exit },
  appId = "order-processor",
) {
  const saved = rec.savedOrders();
  const why = `${appId}\n${tail(rec)}`;
  expect(exit, why).toEqual({ code: 0, signal: null });
  const summary = rec.find(
    (/** @type {Event} */ e) => e.source === "app" && /: stopped; last order saved: /.test(e.line ?? ""),
  );
  expect(summary?.line, why).toMatch(
    new RegExp(`stopped; last order saved: ${saved.at(-1)} \\(${saved.length} saved, \\d+ retried calls\\)`),
  );
  const audit = await withRedisClient(redis, (client) => auditOrders(saved, client, appId));
  expect(audit, why).toMatchObject({ first: 1, lost: 0, repeated: [], skipped: [], missing: [], wrong: [] });
  const after = /** @type {Event[]} */ (rec.events)
    .slice(faultFrom)
    .flatMap((e) => (e.order?.kind === "saving" ? [e.order.id] : []));
  expect(after[0], `first order saved after the fault (last before: ${lastBefore})\n${why}`).toBe(lastBefore + 1);
  expect(after.length).toBeGreaterThanOrEqual(5);
}
