// @ts-check
// One walkthrough, step by step: start the app beside daprd, wait for orders,
// take Redis away and bring it back (outage.mjs), stop the app and judge
// (judge.mjs). What to expect comes from the policy, not from constants here.
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "../../stack/paths.mjs";
import { say, heading, secondsSinceStart, waiting } from "../../cli/console.mjs";
import { startSidecar } from "../../stack/sidecar.mjs";
import { printEvent } from "../../cli/stream.mjs";
import { Recorder } from "../../stack/recorder.mjs";
import { withRedisClient } from "../../stack/redis.mjs";
import { resiliencyLines } from "../../stack/daprd-log.mjs";
import { Verdict } from "./verdict.mjs";
import { stopRedisAndWatch, startRedisAndWatch } from "./outage.mjs";
import { applyFaultAndWatch, clearFaultAndWatch } from "./fault-steps.mjs";
import { stopApp, judge } from "./judge.mjs";
import { exitText, whileAppRuns } from "./app-exit.mjs";

/**
 * @typedef {import("./types.mjs").Policy} Policy
 * @typedef {import("./types.mjs").ControlledRedis} ControlledRedis
 * @typedef {import("./types.mjs").Timeline} Timeline
 * @typedef {import("./types.mjs").AppExit} AppExit
 * @typedef {import("./types.mjs").WalkResult} WalkResult
 * @typedef {import("./types.mjs").Sidecar} Sidecar
 */

/**
 * @typedef {object} WalkOptions
 * @property {string} label          shown in headings and the verdict
 * @property {string[]} command      the app command
 * @property {ControlledRedis} redis
 * @property {Policy} policy
 * @property {string} store          the state store component, e.g. statestore
 * @property {string} resourcesDir   what daprd loads (--resources-path)
 * @property {number} [outageMs]     keep Redis down at least this long
 * @property {FaultRun} [fault]      --fault: this fault instead of stopping Redis
 * @property {boolean} verbose
 */

/**
 * A fault of stack/faults.mjs to walk through instead of the seed's stop.
 * @typedef {object} FaultRun
 * @property {import("../../stack/faults.mjs").Fault} fault
 * @property {import("../../stack/faults.mjs").FaultTarget} target  the proxy in front of Redis, and Redis
 * @property {number} holdMs how long it is held
 */

/**
 * What the steps share while one walkthrough runs.
 * @typedef {object} Walk
 * @property {Recorder} rec
 * @property {Verdict} v
 * @property {Timeline} t
 * @property {import("../../stack/daprd-log.mjs").ResiliencyLines} lines daprd's lines for this store and breaker
 * @property {Sidecar} sidecar
 * @property {ControlledRedis} redis
 * @property {Policy} policy
 * @property {{ retryEveryMs: number, openForMs: number, tripAfter: number, attemptMs: number }} timing
 * @property {number | undefined} outageMs
 * @property {AppExit | undefined} appExit   set when the app ends
 * @property {number[]} before       ids saved before Redis stopped
 * @property {number[]} during       ids saved while it was down
 * @property {boolean} outageRan
 * @property {(() => Promise<void>) | undefined} restoreRedis set while step 3 has Redis stopped: starts it again
 * @property {number | undefined} metricsOpen  when the metrics first counted the breaker opening
 * @property {Promise<void> | undefined} sampling
 * @property {Promise<void>} ended   settles 1 s after the app ends (daprd's last lines get through)
 * @property {import("../../stack/faults.mjs").Expectations} [expect] --fault: what the fault and policy should show
 */

const APP_ID = "order-processor";

/** `resources` for the repo's folder, the absolute path for one elsewhere. @param {string} dir */
const shortPath = (dir) => (dir.startsWith(`${ROOT}/`) ? path.relative(ROOT, dir) : dir);

/**
 * Replays the walkthrough for one variant (or command); returns its result.
 * @param {WalkOptions} o
 * @returns {Promise<WalkResult>}
 */
export async function walkOne({ label, command, redis, policy, store, resourcesDir, outageMs, fault, verbose }) {
  const retryEveryMs = policy.retryEveryMs ?? 5_000;
  const rec = new Recorder({
    t0: Date.now() - secondsSinceStart() * 1000,
    onEvent: (e) => printEvent({ ...e, label: "app" }, { verbose }),
  });

  heading(`1. Start ${label} beside daprd (app-id ${APP_ID}, ${shortPath(resourcesDir)}/)`);
  // Orders left by an earlier run would hide a lost write from the final check.
  const stale = await withRedisClient(redis, async (client) => {
    const keys = await client.keys(`${APP_ID}||*`);
    if (keys.length) await client.del(keys);
    return keys.length;
  });
  if (stale)
    say(
      "walkthrough",
      `cleared ${stale} order keys (${APP_ID}||*) left by an earlier run, so the final check counts only this run's`,
    );
  // Python block-buffers stdout into a pipe: without this a Python app's lines arrive in 4 KB bursts.
  const env = { PYTHONUNBUFFERED: "1" };
  const sidecar = await startSidecar({ command, appId: APP_ID, resourcesDir, env, onLine: (e) => rec.push(e) });
  /** @type {Walk} */
  const w = {
    rec,
    v: new Verdict(),
    t: {},
    lines: resiliencyLines(store, policy.breakerName ?? `${policy.breaker}-${store}`),
    sidecar,
    redis,
    policy,
    // A failed attempt takes longer than the retry interval alone (the Redis client's dial and
    // its own retries): allow 10 s of slack per attempt before calling a step missing.
    timing: {
      retryEveryMs,
      openForMs: policy.openForMs ?? 5_000,
      tripAfter: policy.tripAfter ?? 5,
      attemptMs: retryEveryMs + 10_000,
    },
    outageMs,
    appExit: undefined,
    before: [],
    during: [],
    outageRan: false,
    restoreRedis: undefined,
    metricsOpen: undefined,
    sampling: undefined,
    ended: Promise.resolve(),
  };
  /** @type {Promise<void>} */
  const appEnded = sidecar.appExited.then((e) => {
    w.appExit = { ...e, at: rec.now() };
    w.t.appExit = w.appExit.at;
  });
  w.ended = appEnded.then(() => sleep(1_000));
  /** @type {Awaited<ReturnType<typeof stopApp>> | undefined} */
  let stop;
  try {
    say(
      "walkthrough",
      `daprd ready (HTTP ${sidecar.ports.http}, gRPC ${sidecar.ports.grpc}, metrics ${sidecar.ports.metrics}); app started`,
    );
    if (await ordersFlow(w)) {
      w.outageRan = true;
      if (fault) {
        await applyFaultAndWatch(w, fault);
        await clearFaultAndWatch(w, fault);
      } else {
        await stopRedisAndWatch(w);
        await startRedisAndWatch(w);
      }
    }
    stop = await stopApp(w);
  } finally {
    if (fault) await fault.fault.clear(fault.target).catch(() => undefined);
    await sidecar.stop();
    await w.restoreRedis?.(); // leave Redis running, as we found it (a signal does the same: cli/cleanup.mjs)
  }
  return judge(w, { label, stop, appId: APP_ID });
}

/**
 * Step 2: orders flow once the app reported three saves, in whatever way its
 * language prints an order; if it prints read-backs too, the third one as well.
 * @param {Walk} w
 */
async function ordersFlow(w) {
  const { rec } = w;
  heading("2. Wait until orders are flowing");
  const flowed = () => {
    const saved = rec.savedOrders().length;
    const read = rec.orders("getting").length;
    return saved >= 3 && (read === 0 || read >= 3);
  };
  // An app that exits early ends the wait at once instead of at the timeout.
  const flowing = await waiting(
    "waiting for three orders saved",
    whileAppRuns(w, rec.waitFor(flowed, { timeoutMs: 45_000 })),
  );
  const saved = rec.savedOrders();
  const read = rec.orders("getting").length;
  const detail = flowing
    ? `ids ${saved.slice(0, 3).join(", ")}${read ? ", each read back" : "; the app prints no read-back"}`
    : `${saved.length} saved${w.appExit ? `; the app exited first with ${exitText(w.appExit)}` : " within 45 s"}`;
  const ok = w.v.check("orders flow: three orders saved", flowing, detail, flowing?.at);
  w.before = rec.savedOrders();
  return ok;
}
