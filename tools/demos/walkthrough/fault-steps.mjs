// @ts-check
// Steps 3 to 5 with `--fault <name>` (any fault of stack/faults.mjs but the
// seed's stop, which outage.mjs walks): apply the fault between daprd and
// Redis, hold it, clear it, and check what the fault and the policy say should
// happen (expectations() in faults.mjs): a `slow` fault under the seed's
// policy fails no call, so it must not demand a retry or an open breaker.
import { setTimeout as sleep } from "node:timers/promises";
import { heading, say, waiting } from "../../cli/console.mjs";
import { classify } from "../../stack/daprd-log.mjs";
import fs from "node:fs";
import { expectations } from "../../stack/faults.mjs";
import { startToxiproxy } from "../../stack/toxiproxy.mjs";
import { SentinelCluster } from "../../stack/sentinel-cluster.mjs";
import { storeMetadata } from "../../stack/sentinel-config.mjs";
import { writeRunResources } from "../../stack/resources.mjs";
import { exitText, whileAppRuns } from "./app-exit.mjs";
import { OPENED_METRIC } from "./outage.mjs";

/** @typedef {import("./walk.mjs").Walk} Walk */
/** @typedef {import("../../stack/recorder.mjs").RecordedEvent} RecordedEvent */

/** How long a fault other than stop is held when --outage does not say: the seed's breaker needs about 36 s of failures. */
export const DEFAULT_HOLD_MS = 45_000;

/**
 * Toxiproxy in front of the walkthrough's Redis, and a copy of the resources pointing daprd at it.
 * @param {{ port: number }} redis
 * @param {string} resourcesDir
 * @returns {Promise<{ proxy: import("../../stack/toxiproxy.mjs").Proxy, resourcesDir: string, stop: () => Promise<void> }>}
 */
export async function startFaultProxy(redis, resourcesDir) {
  const tp = await startToxiproxy();
  const proxy = await tp.createProxy({ name: "walkthrough", upstream: redis.port });
  const dir = writeRunResources({ from: resourcesDir, metadata: { redisHost: `localhost:${proxy.port}` } });
  say("walkthrough", `daprd reaches Redis through Toxiproxy on 127.0.0.1:${proxy.port} (resources copied to ${dir})`);
  return {
    proxy,
    resourcesDir: dir,
    async stop() {
      await tp.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For --fault failover: a Sentinel cluster of its own (a primary, a replica, three Sentinels), a copy of
 * the resources with daprd's state store in failover mode through the Sentinels, and a handle that reads
 * from whichever node is the primary now (the final audit runs against the new one).
 * @param {string} resourcesDir
 * @returns {Promise<{ cluster: SentinelCluster, redis: import("../../stack/redis.mjs").RedisHandle, resourcesDir: string, stop: () => Promise<void> }>}
 */
export async function startFaultCluster(resourcesDir) {
  const cluster = new SentinelCluster({ replicas: 1 });
  await cluster.start(); // stopped by its own clean-up on every way out
  const sentinels = cluster.sentinels.map((s) => s.port);
  const dir = writeRunResources({ from: resourcesDir, metadata: storeMetadata(sentinels) });
  say(
    "walkthrough",
    `Sentinel cluster: primary ${cluster.primaryPort}, replica ${cluster.nodes[1]?.port}, Sentinels ${sentinels.join(", ")}; ` +
      `daprd finds the primary through them (resources copied to ${dir})`,
  );
  /** @type {import("../../stack/redis.mjs").RedisHandle} */
  const redis = {
    kind: "external",
    get port() {
      return cluster.primaryPort;
    },
    get host() {
      return `localhost:${cluster.primaryPort}`;
    },
    describe: () => `the Sentinel cluster's primary`,
    isUp: async () => (await cluster.askedPrimary()) !== undefined,
    start: async () => undefined, // the failover fault brings the old primary back itself
    stop: async () => undefined,
    client: async () => /** @type {any} */ (await cluster.primaryClient()),
  };
  return {
    cluster,
    redis,
    resourcesDir: dir,
    async stop() {
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Steps 3 and 4: the fault on, held for its time, each expectation checked.
 * @param {Walk} w
 * @param {import("./walk.mjs").FaultRun} f
 */
export async function applyFaultAndWatch(w, f) {
  const { rec, v, t, policy } = w;
  const e = expectations(f.fault, policy, f.holdMs);
  w.expect = e;
  heading(`3. Apply the fault "${f.fault.name}": ${f.fault.does}`);
  say("walkthrough", `stands for ${f.fault.standsFor}; expected: ${e.why}`);
  const from = rec.events.length;
  await f.fault.apply(f.target);
  t.fault = f.fault.name;
  t.redisDown = rec.now();
  heading(`4. Hold it for ${f.holdMs / 1000} s and watch daprd and the app`);
  await waiting(`holding "${f.fault.name}"`, whileAppRuns(w, sleep(f.holdMs)));
  const seen = rec.events.slice(from);
  const retries = seen.filter((x) => classify(x, w.lines)?.kind === "retry");
  const opens = seen.filter((x) => {
    const c = classify(x, w.lines);
    return c?.kind === "transition" && c.to === "open";
  });
  t.firstRetry = retries[0]?.at;
  t.breakerOpen = opens[0]?.at;
  w.during = rec.savedOrders().slice(w.before.length);
  if (OPENED_METRIC.test(await w.sidecar.metrics().catch(() => ""))) w.metricsOpen = rec.now();
  const since = (/** @type {RecordedEvent | undefined} */ x) =>
    x ? `${(x.at - /** @type {number} */ (t.redisDown)).toFixed(1)} s into the fault` : "";
  if (e.callsFail === undefined)
    say(
      "walkthrough",
      `daprd ${retries.length ? `retried ${retries.length}×, the first ${since(retries[0])}` : "retried nothing"} (either is right here: ${e.why})`,
    );
  else if (e.callsFail)
    v.check(
      "daprd retries the failed state call",
      retries[0],
      retries[0] ? since(retries[0]) : "no retry line",
      t.firstRetry,
    );
  else
    v.check(
      "no state call fails, so daprd retries nothing",
      retries.length === 0,
      retries.length ? `${retries.length} retry lines, the first ${since(retries[0])}` : e.why,
      retries[0]?.at,
    );
  if (e.breakerOpens === true)
    v.check("circuit breaker goes closed → open", opens[0], opens[0] ? since(opens[0]) : "not seen", t.breakerOpen);
  else if (e.breakerOpens === false)
    v.check(
      "circuit breaker stays closed",
      opens.length === 0,
      opens.length ? `opened ${since(opens[0])}` : e.why,
      opens[0]?.at,
    );
  else
    say(
      "walkthrough",
      `breaker ${opens.length ? `opened ${since(opens[0])}` : "stayed closed"} (either is right here: ${e.why})`,
    );
  if (!e.appStalls)
    v.check(
      "orders keep flowing through the fault",
      w.during.length > 0,
      `${w.during.length} orders saved while it lasted`,
      rec.now(),
    );
}

/**
 * Step 5: the fault cleared; orders resume at the next id and keep flowing.
 * @param {Walk} w
 * @param {import("./walk.mjs").FaultRun} f
 */
export async function clearFaultAndWatch(w, f) {
  const { rec, v, t } = w;
  heading(`5. Clear the fault "${f.fault.name}"`);
  const upIndex = rec.events.length;
  await f.fault.clear(f.target);
  t.redisUp = rec.now();
  const redisUp = t.redisUp;
  // Orders may be saved while the fault is being cleared (a failover's old primary rejoining takes a second).
  const lastBefore =
    rec.events.filter((e) => e.order?.kind === "saving" && e.at < redisUp).at(-1)?.order?.id ??
    [...w.before, ...w.during].at(-1) ??
    0;
  const next = await waiting(
    "waiting for the next order",
    whileAppRuns(
      w,
      rec.waitFor((e) => e.order?.kind === "saving" && e.at >= redisUp, { from: upIndex, timeoutMs: 40_000 }),
    ),
  );
  t.nextOrder = next?.at;
  v.check(
    "orders resume at exactly the next id",
    next?.order?.id === lastBefore + 1,
    next?.order
      ? `order ${next.order.id} after ${lastBefore}, ${(next.at - redisUp).toFixed(1)} s after the fault cleared`
      : `no order after the fault cleared${w.appExit ? `; the app had ended with ${exitText(w.appExit)}` : ""}`,
    next?.at,
  );
  const more = await waiting(
    "waiting for three more orders",
    whileAppRuns(
      w,
      rec.waitFor(() => rec.savedOrders().filter((id) => id > lastBefore).length >= 3, {
        from: upIndex,
        timeoutMs: 20_000,
      }),
    ),
  );
  v.check(
    "orders keep flowing after recovery",
    more,
    `${rec.savedOrders().filter((id) => id > lastBefore).length} orders since`,
    more?.at,
  );
}
