// @ts-check
// The same Redis outage for each app: the real app at its default pace, Redis
// stopped after a few orders and started again once daprd's breaker has
// opened; the orders audited against Redis afterwards.
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { VARIANTS } from "../../stack/paths.mjs";
import { scopedResiliencyYaml } from "../../stack/resources.mjs";
import { ToolError } from "../../cli/errors.mjs";
import { say } from "../../cli/console.mjs";
import { startTypedApp } from "./host.mjs";
import { auditOrders } from "../../stack/recorder.mjs";
import { classify, resiliencyLines } from "../../stack/daprd-log.mjs";
import { round3 } from "../../bench/lib/stats.mjs";

/** @typedef {{cb: string | undefined, retries: number, opens: number}} ResiliencyMetrics */
/** @typedef {{redis: any, pin: import("./procs.mjs").Pinning, plan: any, outage: {resources: object, policy: any}}} OutageCtx */

/**
 * The breaker state and resiliency counters in one scrape of daprd's /metrics.
 * @param {string} text
 * @returns {ResiliencyMetrics}
 */
export function parseResiliencyMetrics(text, target = "statestore") {
  /** @type {ResiliencyMetrics} */
  const out = { cb: undefined, retries: 0, opens: 0 };
  for (const line of text.split("\n")) {
    const m = /^(dapr_resiliency_\w+)\{([^}]*)\}\s+(\S+)/.exec(line);
    const body = m?.[2] ?? "";
    if (!m || !body.toLowerCase().includes(target)) continue;
    const labels = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const value = Number(m[3]);
    if (m[1] === "dapr_resiliency_cb_state" && value === 1) out.cb = labels.status;
    if (m[1] === "dapr_resiliency_activations_total" && labels.policy === "retry") out.retries += value;
    if (m[1] === "dapr_resiliency_activations_total" && labels.policy === "circuitbreaker" && labels.status === "open")
      out.opens += value;
  }
  return out;
}

/**
 * Counts per 1-second bucket of event times (seconds), from `from` to `to`.
 * @param {number[]} times @param {number} from @param {number} to
 */
export function perSecond(times, from, to) {
  const buckets = Array.from({ length: Math.max(0, Math.ceil(to - from)) }, (_, i) => ({ t: from + i, n: 0 }));
  for (const t of times) {
    const i = Math.floor(t - from);
    const b = buckets[i];
    if (b) b.n++;
  }
  return buckets;
}

/** A resiliency.yaml that also scopes the bench app ids; --quick shortens the policy so the breaker opens in seconds. */
/** @param {string[]} appIds @param {boolean} shorten */
export function resiliencyYaml(appIds, shorten) {
  return scopedResiliencyYaml(
    appIds,
    shorten
      ? (doc) => {
          const out = doc.spec.targets.components.statestore.outbound;
          doc.spec.policies.retries[out.retry].duration = "1s";
          Object.assign(doc.spec.policies.circuitBreakers[out.circuitBreaker], {
            trip: "consecutiveFailures >= 2",
            timeout: "3s",
          });
        }
      : undefined,
  );
}

/** @template T @param {Promise<T>} promise @param {number} ms @param {string} what @returns {Promise<T>} */
export async function untilExit(promise, ms, what) {
  const timeout = Symbol("timeout");
  const r = await Promise.race([promise, sleep(ms, timeout, { ref: false })]); // unref'd: a pending guard must not keep the process alive
  if (r === timeout)
    throw new ToolError(
      `${what} did not finish within ${ms / 1000} s.`,
      "Run it again with --quick, or look for something hogging the CPU (top).",
    );
  return /** @type {T} */ (r);
}

/**
 * The Redis answering on our port: its data dir and DBSIZE, once it has loaded its
 * append-only file (it answers LOADING until then). The dir tells ours from a stranger's.
 */
/** @param {any} redis a LocalRedis */
async function redisState(redis) {
  for (let i = 0; ; i++) {
    let client;
    try {
      client = await redis.client();
      const keys = await client.dbSize();
      return { keys, dir: (await client.configGet("dir")).dir };
    } catch (err) {
      if (i >= 50)
        throw new ToolError(
          `Redis on port ${redis.port} does not answer: ${/** @type {Error} */ (err).message}`,
          `See its log: ${redis.logFile}`,
        );
      await sleep(200);
    } finally {
      await client?.quit().catch(() => undefined);
    }
  }
}

/** The real app at its default pace; Redis stops after a few orders and comes back once daprd's breaker has opened. */
/** @param {OutageCtx} ctx @param {keyof typeof VARIANTS} variant */
export async function outageVariant(ctx, variant) {
  const { plan, redis, outage } = ctx;
  const appId = `outage-${variant}`;
  const app = await startTypedApp({
    redis,
    appId,
    resources: outage.resources,
    command: ctx.pin.wrap([process.execPath, VARIANTS[variant].main]),
  });
  const rec = app.recorder;
  const lines = resiliencyLines("statestore", outage.policy.breakerName);
  /** @type {(ResiliencyMetrics & {t: number})[]} */
  const samples = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const t = rec.now();
      try {
        samples.push({ t, ...parseResiliencyMetrics(await app.sidecar.metrics()) });
      } catch {
        /* daprd busy or stopping: a gap in the picture */
      }
      await sleep(1000 - (((rec.now() - t) * 1000) % 1000));
    }
  })();
  let down = 0;
  let up;
  let client;
  try {
    const pre = await rec.waitFor((e) => e.order?.kind === "saving" && e.order.id >= plan.ordersBefore, {
      timeoutMs: 30_000,
    });
    if (!pre) throw new ToolError(`${variant}: ${plan.ordersBefore} orders not saved within 30 s; is daprd healthy?`);
    const keysBefore = (await redisState(redis)).keys;
    const from = rec.events.length;
    down = rec.now();
    await redis.stop();
    say(
      "compare",
      `${variant}: Redis stopped after order ${pre.order?.id}; waiting for daprd's breaker ${outage.policy.breakerName} to open (at most ${plan.capMs / 1000} s)`,
    );
    const isOpen = (/** @type {import("./host.mjs").AppEvent} */ e) => {
      const c = classify(e, lines);
      return c?.kind === "transition" && c.from === "closed" && c.to === "open";
    };
    const open = await rec.waitFor(isOpen, { from, timeoutMs: plan.capMs });
    if (open) await sleep(Math.max(0, Math.min(plan.afterOpenMs, plan.capMs - (rec.now() - down) * 1000)));
    await redis.start();
    up = rec.now();
    // Other tools pick ports with freePort() too: while ours was down its port was free for the taking.
    const back0 = await redisState(redis);
    if (path.resolve(back0.dir) !== fs.realpathSync(redis.dir)) {
      throw new ToolError(
        `While the outage's Redis was down, another Redis (data in ${back0.dir}) took its port ${redis.port}; daprd would now talk to that.`,
        "Run compare again; fewer things running at once make this unlikely.",
      );
    }
    // What Redis itself brought back: a lost order with fewer keys here is Redis's loss, not the client's.
    const keysAfter = back0.keys;
    const redisLog =
      keysAfter < keysBefore ? fs.readFileSync(redis.logFile, "utf8").trim().split("\n").slice(-25) : undefined;
    // No save can succeed while Redis is down, so the first one after the stop is the recovery.
    const back = await rec.waitFor((e) => e.order?.kind === "saving", { from, timeoutMs: 60_000 });
    if (!back) throw new ToolError(`${variant}: no order saved within 60 s of Redis coming back.`);
    await sleep(plan.afterRecoveryMs);
    sampling = false;
    await sampler;
    await app.sidecar.stop(); // SIGTERM: the app finishes the call in flight and prints its summary

    client = await redis.client();
    const saved = rec.savedOrders();
    const audit = await auditOrders(saved, client, appId);
    const failure = rec.find((e) => classify(e, lines)?.kind === "retry", from);
    const lastBefore = rec.events.slice(0, from).findLast((e) => e.order?.kind === "saving");
    const appRetries = rec.events.filter((e) => e.source === "app" && /failed: .*retrying/.test(e.line ?? ""));
    const rel = (/** @type {{at: number} | undefined} */ e) => (e ? round3(e.at - down) : undefined);
    const endS = rec.now() - down;
    return {
      appId,
      firstFailureS: rel(failure),
      breakerOpenS: rel(open),
      redisUpS: round3(up - down),
      recoveredAfterUpS: round3(back.at - up),
      gapS: lastBefore ? round3(back.at - lastBefore.at) : undefined,
      ordersSaved: saved.length,
      redisKeys: { beforeStop: keysBefore, afterRestart: keysAfter, log: redisLog },
      appRetries: appRetries.length,
      firstAppRetry: appRetries[0]?.line,
      audit: {
        lost: audit.lost,
        repeated: audit.repeated.length,
        skipped: audit.skipped.length,
        missing: audit.missing,
        wrong: audit.wrong.length,
        first: audit.first,
        last: audit.last,
      },
      transitions: rec.events.flatMap((e) => {
        const c = classify(e, lines);
        return c?.kind === "transition" ? [{ t: rel(e), name: outage.policy.breakerName, from: c.from, to: c.to }] : [];
      }),
      metrics: samples.map((s) => ({ ...s, t: round3(s.t - down) })),
      leadS: round3(down),
      endS: round3(endS),
      ordersPerSecond: perSecond(
        rec.events.filter((e) => e.order?.kind === "saving").map((e) => e.at - down),
        -Math.ceil(down),
        Math.ceil(endS),
      ),
    };
  } finally {
    sampling = false;
    await sampler;
    await client?.quit().catch(() => undefined);
    await app.stop();
    if (!(await redis.isUp())) await redis.start(); // an error mid-outage must not leave the next step without Redis
  }
}
