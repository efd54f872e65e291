// @ts-check
// One cell of the lab: a fresh Redis of its own, a Toxiproxy proxy in front
// of it (for the faults that need one), the policy's resources, an app beside
// a fresh daprd; orders before, during and after one fault; then daprd's
// metrics, the orders audited against Redis, and everything stopped.
// Returns what happened (events with times, marks, Redis's command counts);
// measure.mjs reads the numbers from it.
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { onCleanup } from "../../cli/cleanup.mjs";
import { startApp, startRedis } from "../../stack/isolated-stack.mjs";
import { withRedisClient } from "../../stack/redis.mjs";
import { auditOrders } from "../../stack/recorder.mjs";
import { SentinelCluster } from "../../stack/sentinel-cluster.mjs";
import { storeMetadata } from "../../stack/sentinel-config.mjs";
import { startMonitor, writtenKey } from "../../stack/redis-monitor.mjs";
import { writePolicyResources, removeResources } from "./policies.mjs";

/**
 * @typedef {object} CellRun
 * @property {string} policy
 * @property {string} fault
 * @property {number} faultMs
 * @property {import("../../stack/recorder.mjs").RecordedEvent[]} events every app and daprd line, `at` in s since start
 * @property {{ ready: number, baseline: number, faultOn: number, clearing: number, faultOff: number, end: number }} marks
 *   s since start; clearing: the fault starts to be lifted; faultOff: it is (Redis up again, for stop)
 * @property {{ baseline: number | null, faultOn: number | null, faultOff: number | null, end: number | null }} commands
 *   Redis's command count (its own INFO commandstats, without this tool's INFO/CLIENT/HELLO) at each mark; null: Redis down
 * @property {boolean} restartedRedis the fault restarted Redis, so its counters began again at 0 at faultOff
 * @property {string[]} metrics daprd's dapr_resiliency_* lines at the end (or why there are none)
 * @property {import("../../stack/recorder.mjs").OrderAudit | undefined} audit
 * @property {string | undefined} breakerName as daprd logs it
 * @property {string | undefined} error the cell could not run: why
 * @property {{ at: number, to: string } | undefined} [reloaded] --reload: when the policy file was changed, to what
 * @property {{ at: number, key: string }[]} [writes] faults with `monitor`: every write Redis received (MONITOR), `at` as events'
 */

/** Commands this tool's own sampling and audit send: not load from daprd. */
const OWN = /^(info|client\|.*|hello|quit)$/;

/**
 * Redis's total commands so far, without the tool's own.
 * @param {Pick<import("../../stack/redis.mjs").RedisHandle, "client">} redis
 * @returns {Promise<number | null>} null when Redis does not answer
 */
export async function redisCommands(redis) {
  try {
    const info = await withRedisClient(redis, (c) => c.info("commandstats"));
    let n = 0;
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (!OWN.test(m[1] ?? "")) n += Number(m[2]);
    return n;
  } catch {
    return null;
  }
}

/**
 * The cell's store: a Redis of its own (behind a proxy of the Toxiproxy server for the faults that need one),
 * or for `failover` a Sentinel cluster that daprd finds its primary through. Its stops go on `undo`.
 * @param {import("../../stack/faults.mjs").Fault} fault
 * @param {import("../../stack/toxiproxy.mjs").Toxiproxy} toxiproxy
 * @param {(() => Promise<void>)[]} undo
 * @returns {Promise<{ redis: import("../../stack/redis.mjs").LocalRedis | { client: () => Promise<any> }, target: import("../../stack/faults.mjs").FaultTarget, metadata: Record<string, string>, port: number }>}
 *   redis: where the audit reads (the primary at the time); port: where daprd goes unless metadata says otherwise
 */
async function startStore(fault, toxiproxy, undo) {
  if (fault.via === "cluster") {
    const cluster = new SentinelCluster({ replicas: 1 });
    undo.push(() => cluster.stop());
    await cluster.start();
    const metadata = storeMetadata(cluster.sentinels.map((s) => s.port));
    return {
      redis: { client: () => cluster.primaryClient() },
      target: { cluster },
      metadata,
      port: cluster.primaryPort,
    };
  }
  const redis = await startRedis();
  undo.push(async () => {
    await redis.stop();
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });
  const proxy =
    fault.via === "proxy"
      ? await toxiproxy.createProxy({ name: `lab-${redis.port}`, upstream: redis.port })
      : undefined;
  if (proxy) undo.push(() => proxy.remove());
  return { redis, target: { proxy, redis }, metadata: {}, port: proxy ? proxy.port : redis.port };
}

/**
 * @param {object} o
 * @param {import("./policies.mjs").LabPolicy} o.policy
 * @param {import("../../stack/faults.mjs").Fault} o.fault
 * @param {number} o.faultMs
 * @param {number} o.baselineMs orders before the fault, for the no-fault rates
 * @param {number} o.recoveryCapMs longest wait for an order after the fault clears
 * @param {import("../../stack/toxiproxy.mjs").Toxiproxy} o.toxiproxy
 * @param {string[]} o.command the app
 * @param {string | undefined} o.breakerName
 * @param {(e: import("../../stack/recorder.mjs").RecordedEvent) => void} [o.onEvent]
 * @param {{ policy: import("./policies.mjs").LabPolicy, afterMs: number, beforeFault?: boolean }} [o.reload]
 *   change the policy to this one afterMs into the fault (beforeFault: afterMs after the first order, before the fault)
 * @returns {Promise<CellRun>}
 */
export async function runCell({
  policy,
  fault,
  faultMs,
  baselineMs,
  recoveryCapMs,
  toxiproxy,
  command,
  breakerName,
  onEvent,
  reload,
}) {
  /** @type {CellRun} */
  const run = {
    policy: policy.name,
    fault: fault.name,
    faultMs,
    events: [],
    marks: { ready: 0, baseline: 0, faultOn: 0, clearing: 0, faultOff: 0, end: 0 },
    commands: { baseline: null, faultOn: null, faultOff: null, end: null },
    restartedRedis: fault.name === "stop",
    metrics: [],
    audit: undefined,
    breakerName,
    error: undefined,
  };
  /** @type {(() => Promise<void>)[]} */
  const undo = [];
  const cleanUp = async () => {
    for (const fn of undo.splice(0).reverse()) await fn().catch(() => undefined);
  };
  const removeCleanup = onCleanup(cleanUp);
  try {
    const { redis, target, metadata, port } = await startStore(fault, toxiproxy, undo);
    const policyDir = writePolicyResources(policy);
    undo.push(async () => removeResources(policyDir));
    const app = await startApp({
      redis: { port },
      command,
      env: { ORDER_INTERVAL_MS: "500" },
      resources: { from: policyDir, metadata },
      onEvent,
    });
    undo.push(() => app.stop());
    const rec = app.recorder;
    run.events = rec.events;
    run.marks.ready = rec.now();
    const first = await rec.waitFor((e) => e.order?.kind === "saving", { timeoutMs: 30_000 });
    if (!first) throw new Error("no order saved within 30 s of the app's start (before any fault)");
    const monitor = fault.monitor && "port" in redis ? await startMonitor(redis.port) : undefined;
    if (monitor) undo.push(async () => void monitor.stop());
    /** Replaces the cell's resiliency.yaml with the reload policy's. */
    const rewrite = () => {
      if (!reload) return;
      const text = reload.policy.resiliency ? fs.readFileSync(reload.policy.resiliency, "utf8") : "";
      fs.writeFileSync(`${app.resourcesDir}/resiliency.yaml`, text);
      run.reloaded = { at: rec.now(), to: reload.policy.name };
    };
    if (reload?.beforeFault) {
      await sleep(reload.afterMs);
      rewrite();
      await rec.waitFor(
        (e) => e.at >= (run.reloaded?.at ?? 0) && /^Loading Resiliency configuration/.test(e.msg ?? ""),
        {
          timeoutMs: 10_000,
        },
      );
      await sleep(2_000);
    }
    run.marks.baseline = rec.now();
    run.commands.baseline = await redisCommands(redis);
    await sleep(baselineMs);
    run.commands.faultOn = await redisCommands(redis);
    run.marks.faultOn = rec.now();
    await fault.apply(target);
    undo.push(() => fault.clear(target)); // cleared even if the cell fails mid-fault
    if (reload && !reload.beforeFault) {
      await sleep(reload.afterMs);
      rewrite();
      await sleep(Math.max(0, faultMs - reload.afterMs));
    } else {
      await sleep(faultMs);
    }
    // After a failover the counts are another Redis's: the load during it is not measured.
    run.commands.faultOff = fault.via === "cluster" ? null : await redisCommands(redis);
    run.marks.clearing = rec.now();
    await fault.clear(target);
    undo.pop();
    run.marks.faultOff = rec.now();
    const from = rec.events.length;
    const next = await rec.waitFor((e) => e.order?.kind === "saving", { timeoutMs: recoveryCapMs, from });
    if (next) await sleep(1_500); // the breaker closing, a few more orders
    run.marks.end = rec.now();
    run.commands.end = fault.via === "cluster" ? null : await redisCommands(redis);
    if (monitor) {
      const offset = Date.now() / 1000 - rec.now(); // Redis's clock is this machine's
      run.writes = monitor.stop().flatMap((c) => {
        const key = writtenKey(c);
        return key === undefined ? [] : [{ at: c.at - offset, key }];
      });
    }
    run.metrics = await app.sidecar
      .metrics()
      .then((text) =>
        /^\* collected metric|^An error has occurred/m.test(text)
          ? [`daprd's /metrics answered an error: ${text.split("\n")[0]?.slice(0, 160)}`]
          : text.split("\n").filter((l) => l.startsWith("dapr_resiliency_")),
      )
      .catch((err) => [`daprd's /metrics did not answer: ${err instanceof Error ? err.message : err}`]);
    await app.stop();
    const exit = await app.sidecar.appExited;
    run.audit = await withRedisClient(redis, (c) =>
      auditOrders(rec.savedOrders(), c, "order-processor", rec.deletedOrders(), { endedBySignal: !!exit.signal }),
    );
  } catch (err) {
    run.error = err instanceof Error ? err.message : String(err);
  } finally {
    await cleanUp();
    removeCleanup();
  }
  return run;
}
