// @ts-check
// Steps 3 to 5: stop Redis, watch daprd retry and its breaker open, half-open
// and open again; start Redis, watch daprd recover and orders resume.
// daprd's lines are recognised by daprd-log.mjs (classify), nowhere else.
import { setTimeout as sleep } from "node:timers/promises";
import { heading, say, waiting } from "../../cli/console.mjs";
import { classify } from "../../stack/daprd-log.mjs";
import { stopRedisUntilRestored } from "../../stack/redis-outage.mjs";
import { exitText, whileAppRuns } from "./app-exit.mjs";

/** @typedef {import("./walk.mjs").Walk} Walk */
/** @typedef {import("../../stack/recorder.mjs").RecordedEvent} RecordedEvent */

/**
 * A matcher for one of daprd's resiliency lines.
 * @param {Walk} w
 * @param {"retry" | "transition" | "recovered"} kind
 * @param {string} [from] for transitions
 * @param {string} [to]
 */
const daprdSays = (w, kind, from, to) => (/** @type {RecordedEvent} */ e) => {
  const c = classify(e, w.lines);
  if (!c || c.kind !== kind) return false;
  return c.kind !== "transition" || (c.from === from && c.to === to);
};

// In 1.18.2 the dapr_resiliency_cb_state gauge stays at "closed" throughout (seen on every run
// here); the activations counter is what records the breaker opening.
export const OPENED_METRIC =
  /dapr_resiliency_activations_total\{[^}]*policy="circuitbreaker"[^}]*status="open"[^}]*\} [1-9]/;

/**
 * Steps 3 and 4.
 * @param {Walk} w
 */
export async function stopRedisAndWatch(w) {
  const { rec, v, t, redis, policy, timing } = w;
  heading(`3. Stop Redis (${redis.describe()})`);
  const downIndex = rec.events.length;
  // Redis is the project's (or the user's dapr_redis): whatever ends the tool from here starts it again.
  w.restoreRedis = await stopRedisUntilRestored(redis);
  t.redisDown = rec.now();
  say("redis", `stopped ${redis.kind === "docker" ? `(docker stop ${redis.name})` : "(SIGTERM to redis-server)"}`);

  heading(
    `4. Watch daprd apply the policies: retry ${policy.retryPolicy} every ${timing.retryEveryMs / 1000}s, breaker ${policy.breaker} opens after ${timing.tripAfter} failures for ${timing.openForMs / 1000}s`,
  );
  w.sampling = (async () => {
    while (t.redisUp === undefined) {
      const text = await w.sidecar.metrics().catch(() => "");
      if (w.metricsOpen === undefined && OPENED_METRIC.test(text)) w.metricsOpen = rec.now();
      // Redis is shared: a tool that ensures it runs (npm run setup, another demo) may start it again.
      if (t.redisBackEarly === undefined && t.redisUp === undefined && (await redis.isUp())) {
        t.redisBackEarly = rec.now();
        say("redis", "is up again, started by another process: the outage ended early");
      }
      await sleep(1_000);
    }
  })();
  const retry = await waiting(
    "waiting for daprd's retry warning",
    whileAppRuns(w, rec.waitFor(daprdSays(w, "retry"), { from: downIndex, timeoutMs: timing.attemptMs })),
  );
  t.firstRetry = retry?.at;
  /** Why a step was not seen, when Redis came back by someone else's hand. */
  const early = () =>
    t.redisBackEarly === undefined
      ? ""
      : `; Redis was started again by another process at ${t.redisBackEarly.toFixed(1)} s`;
  v.check(
    "daprd retries the failed state call",
    retry,
    retry
      ? `${(retry.at - t.redisDown).toFixed(1)} s after Redis stopped`
      : `no line like /${w.lines.retry.source}/ within ${timing.attemptMs / 1000} s${early()}`,
    retry?.at,
  );
  const outageEnds = w.outageMs ? Date.now() + w.outageMs - (rec.now() - t.redisDown) * 1000 : undefined;
  const open = await waiting(
    `waiting for ${policy.breakerName} to open (after ${timing.tripAfter} consecutive failures)`,
    whileAppRuns(
      w,
      rec.waitFor(daprdSays(w, "transition", "closed", "open"), {
        from: downIndex,
        timeoutMs: outageEnds ? Math.max(0, outageEnds - Date.now()) : timing.tripAfter * timing.attemptMs,
      }),
    ),
  );
  t.breakerOpen = open?.at;
  v.check(
    "circuit breaker goes closed → open",
    open,
    open ? `${(open.at - (t.firstRetry ?? t.redisDown)).toFixed(1)} s after the first failure` : `not seen${early()}`,
    open?.at,
  );
  const halfOpen =
    open &&
    (await waiting(
      "waiting for the breaker to let a trial call through",
      whileAppRuns(
        w,
        rec.waitFor(daprdSays(w, "transition", "open", "half-open"), {
          from: downIndex,
          timeoutMs: timing.openForMs + timing.attemptMs,
        }),
      ),
    ));
  t.halfOpen = halfOpen?.at;
  v.check(
    `circuit breaker goes open → half-open after its ${timing.openForMs / 1000}s timeout`,
    open && halfOpen && halfOpen.at - open.at >= timing.openForMs / 1000 - 0.5,
    open && halfOpen ? `${(halfOpen.at - open.at).toFixed(1)} s after opening` : `not seen${early()}`,
    halfOpen?.at,
  );
  const reopen =
    halfOpen &&
    (await waiting(
      "waiting for the trial call to fail",
      whileAppRuns(
        w,
        rec.waitFor(daprdSays(w, "transition", "half-open", "open"), { from: downIndex, timeoutMs: timing.attemptMs }),
      ),
    ));
  t.reopen = reopen?.at;
  v.check(
    "circuit breaker goes half-open → open (trial call failed, Redis still down)",
    reopen,
    reopen ? "" : `not seen${early()}`,
    reopen?.at,
  );
  if (outageEnds && Date.now() < outageEnds)
    await waiting("keeping Redis down for --outage", sleep(outageEnds - Date.now()));
  w.during = rec.savedOrders().slice(w.before.length);
}

/**
 * Step 5.
 * @param {Walk} w
 */
export async function startRedisAndWatch(w) {
  const { rec, v, t, redis, timing } = w;
  heading("5. Start Redis again");
  const upIndex = rec.events.length;
  await (w.restoreRedis ? w.restoreRedis() : redis.start());
  t.redisUp = rec.now();
  say("redis", `started${redis.kind === "docker" ? ` (docker start ${redis.name})` : ""}`);
  await w.sampling;
  // daprd 1.18 drops a call that meets an open breaker (backoff.Permanent in pkg/resiliency/policy.go).
  // With retries at least as far apart as the breaker stays open, as in the seed, every retry finds
  // it half-open and the waiting call goes through once Redis is back: a "Recovered" line. With
  // shorter retries the call fails with "circuit breaker is open"; the app calls again, and the
  // breaker closing (half-open → closed) is daprd's recovery.
  const dropsCall = timing.retryEveryMs < timing.openForMs;
  const recovered = await waiting(
    "waiting for daprd to recover",
    whileAppRuns(
      w,
      rec.waitFor(
        (e) => daprdSays(w, "recovered")(e) || (dropsCall && daprdSays(w, "transition", "half-open", "closed")(e)),
        { from: upIndex, timeoutMs: timing.openForMs + timing.attemptMs * 2 },
      ),
    ),
  );
  t.recovered = recovered?.at;
  const c = recovered && classify(recovered, w.lines);
  const after = recovered ? `${(recovered.at - t.redisUp).toFixed(1)} s after Redis came back` : "";
  const why = `retries every ${timing.retryEveryMs / 1000}s are shorter than the ${timing.openForMs / 1000}s the breaker stays open, so daprd gave the waiting call up ("circuit breaker is open")`;
  v.check(
    "daprd recovers the state call",
    recovered,
    c?.kind === "recovered"
      ? `${c.attempts ? `after ${c.attempts} attempts, ` : ""}${after}`
      : c?.kind === "transition"
        ? `the breaker closed ${after}; no "Recovered" line: ${why}`
        : `not seen${dropsCall ? `; ${why}` : ""}`,
    recovered?.at,
  );
  const lastBefore = [...w.before, ...w.during].at(-1) ?? 0;
  const redisUp = t.redisUp;
  const next = await waiting(
    "waiting for the next order",
    whileAppRuns(
      w,
      rec.waitFor((e) => e.order?.kind === "saving" && e.at >= redisUp, {
        from: upIndex,
        timeoutMs: timing.attemptMs * 2,
      }),
    ),
  );
  t.nextOrder = next?.at;
  v.check(
    "orders resume at exactly the next id",
    next?.order?.id === lastBefore + 1,
    next?.order
      ? `order ${next.order.id} after ${lastBefore}`
      : `no order after Redis came back${w.appExit ? `; the app had ended with ${exitText(w.appExit)}` : ""}`,
    next?.at,
  );
  /** @param {RecordedEvent} e */
  const newSave = (e) => e.order?.kind === "saving" && e.order.id > lastBefore;
  const since = () => rec.events.filter(newSave).length;
  // the third save after the outage itself, so that the row's time is when it happened
  const third = (/** @type {RecordedEvent} */ e) =>
    newSave(e) && rec.events.slice(0, rec.events.indexOf(e) + 1).filter(newSave).length === 3;
  const more = await waiting(
    "waiting for three more orders",
    whileAppRuns(w, rec.waitFor(third, { from: upIndex, timeoutMs: 20_000 })),
  );
  v.check("orders keep flowing after recovery", more, `${since()} orders since`, more?.at);
}
