// @ts-check
// The named faults of the lab, the walkthrough's --fault and the soak: each
// one a way a state store fails in production, applied to what sits between
// daprd and Redis (a Toxiproxy proxy), to the Redis process, or to a Sentinel
// cluster, then cleared. The caller holds it for its time:
//
//   const f = fault("hang");                       // UsageError (exit 2) listing FAULT_NAMES otherwise
//   await f.apply({ proxy, redis });  …hold…  await f.clear({ proxy, redis });
//   f.via === "proxy"    // daprd must reach Redis through `proxy` (else: straight to Redis)
//   expectations(f, policy)   // what daprd and the app should show under it (walkthrough, lab)
//
// Toxics act on open connections as well as new ones; `clear` removes every
// toxic and re-enables the proxy, so a fault never leaks into the next one.
import { UsageError } from "../cli/errors.mjs";

/**
 * What a fault acts on. proxy: between daprd and Redis; redis: the store itself;
 * cluster: a Sentinel cluster whose primary the `failover` fault kills.
 * @typedef {object} FaultTarget
 * @property {Pick<import("./toxiproxy.mjs").Proxy, "addToxic" | "clearToxics" | "setEnabled">} [proxy]
 * @property {{ stop(signal?: NodeJS.Signals): Promise<void>, start(): Promise<void>, client?(): Promise<import("./redis.mjs").RedisClient> }} [redis]
 * @property {{ killPrimary(): Promise<void>, restoreOldPrimary(): Promise<void> }} [cluster]
 */

/**
 * How calls fare while the fault lasts, before any policy acts:
 *   fail   every call fails at once (refused, reset)
 *   hang   calls get no answer: only a timeout (the policy's, else the client's) ends them
 *   slow   every call answers, `latencyMs` late
 *   some   a share of calls (or connections) fail, the rest succeed
 *   switch calls fail until the new primary takes over, then succeed
 * @typedef {"fail" | "hang" | "slow" | "some" | "switch"} CallFate
 */

/**
 * @typedef {object} Fault
 * @property {string} name
 * @property {string} does        what the tool does, in words
 * @property {string} standsFor   what it stands for in production
 * @property {"proxy" | "direct" | "cluster"} via  how daprd reaches Redis for this fault
 * @property {CallFate} calls
 * @property {number} [latencyMs] slow: the added latency (its mean)
 * @property {number} [jitterMs]  slow: ± this much
 * @property {number} [share]     some: the share of connections hit, 0..1
 * @property {number} [attemptMs] how long one failed attempt spends in daprd's Redis client, when not CLIENT_ATTEMPT_MS's
 * @property {boolean} [monitor]  every write still reaches Redis: the lab reads each attempt's time from MONITOR
 * @property {(t: FaultTarget) => Promise<void>} apply
 * @property {(t: FaultTarget) => Promise<void>} clear
 */

/** @param {FaultTarget} t @param {string} name */
function proxyOf(t, name) {
  if (!t.proxy) throw new Error(`fault ${name} needs the proxy between daprd and Redis`);
  return t.proxy;
}

/** Removes every toxic and re-enables the proxy. @param {FaultTarget} t @param {string} name */
async function clearProxy(t, name) {
  const p = proxyOf(t, name);
  await p.setEnabled(true);
  await p.clearToxics();
}

/**
 * A fault made of toxics on the proxy.
 * @param {Omit<Fault, "apply" | "clear" | "via">} f
 * @param {import("./toxiproxy.mjs").Toxic[]} toxics
 * @returns {Fault}
 */
function toxicFault(f, toxics) {
  return {
    ...f,
    via: "proxy",
    async apply(t) {
      const p = proxyOf(t, f.name);
      for (const x of toxics) await p.addToxic(x);
    },
    clear: (t) => clearProxy(t, f.name),
  };
}

const MIN_REPLICAS = "min-replicas-to-write";
/** reject: the setting each target had before, put back when it clears. @type {WeakMap<FaultTarget, string>} */
const REJECT_WAS = new WeakMap();

/** @param {FaultTarget} t @param {string} name */
function redisClientOf(t, name) {
  if (!t.redis?.client) throw new Error(`fault ${name} needs a client to the Redis`);
  return t.redis.client();
}

/** @type {readonly Fault[]} */
export const FAULTS = [
  {
    name: "stop",
    does: "Redis stopped (SIGTERM), started again when the fault clears (the walkthrough's outage)",
    standsFor: "a store restarted for an upgrade, or crashed and brought back by its supervisor",
    via: "direct",
    calls: "fail",
    async apply(t) {
      if (!t.redis) throw new Error("fault stop needs the Redis");
      await t.redis.stop();
    },
    async clear(t) {
      await t.redis?.start();
    },
  },
  {
    name: "refuse",
    does: "the proxy disabled: open connections cut, new ones refused",
    standsFor: "the store's host up but nothing listening: a failed pod behind a Service, a firewall that rejects",
    via: "proxy",
    calls: "fail",
    async apply(t) {
      await proxyOf(t, "refuse").setEnabled(false);
    },
    clear: (t) => clearProxy(t, "refuse"),
  },
  toxicFault(
    {
      name: "hang",
      does: "connections accepted, nothing passed on or answered (Toxiproxy `timeout` toxic, 0: held open)",
      standsFor: "a network partition or a dropped route: packets vanish, no reset, no error, only silence",
      calls: "hang",
    },
    [{ type: "timeout", stream: "upstream", attributes: { timeout: 0 } }],
  ),
  toxicFault(
    {
      name: "slow",
      does: "every reply 300 ms ± 100 ms late (Toxiproxy `latency` toxic): under a 1 s timeout",
      standsFor: "a store under load or a congested link: slow, but within what callers allow",
      calls: "slow",
      latencyMs: 300,
      jitterMs: 100,
    },
    [{ type: "latency", attributes: { latency: 300, jitter: 100 } }],
  ),
  toxicFault(
    {
      name: "crawl",
      does: "every reply 1.5 s ± 250 ms late: over a 1 s timeout, under the client's 3 s read timeout",
      standsFor: "a store swapping, compacting or stuck behind a slow disk: it answers, too late to be useful",
      calls: "slow",
      latencyMs: 1_500,
      jitterMs: 250,
    },
    [{ type: "latency", attributes: { latency: 1_500, jitter: 250 } }],
  ),
  toxicFault(
    {
      name: "reset",
      does: "every connection reset by peer (TCP RST) as soon as data flows (Toxiproxy `reset_peer`)",
      standsFor: "a load balancer or NAT that dropped the connection's state, a store killed mid-connection",
      calls: "fail",
    },
    [{ type: "reset_peer", stream: "upstream", attributes: { timeout: 0 } }],
  ),
  toxicFault(
    {
      name: "flaky",
      does: "30 % of connections reset by peer, the rest clean (`reset_peer`, toxicity 0.3)",
      standsFor: "one bad node or a lossy link among good ones: most calls pass, some fail",
      calls: "some",
      share: 0.3,
    },
    [{ type: "reset_peer", stream: "upstream", toxicity: 0.3, attributes: { timeout: 0 } }],
  ),
  toxicFault(
    {
      name: "cut",
      does: "each connection closed after 256 bytes of replies, part-way through one (`limit_data`)",
      standsFor: "a proxy or middlebox that kills long-lived connections, a store that drops clients mid-reply",
      calls: "some",
    },
    [{ type: "limit_data", attributes: { bytes: 256 } }],
  ),
  {
    name: "reject",
    does: "every write answered with an error (NOREPLICAS: `CONFIG SET min-replicas-to-write 1`, no replica)",
    standsFor:
      "a primary that lost its replicas (min-replicas-to-write), a full disk's MISCONF: up, but refusing writes",
    via: "direct",
    calls: "fail",
    // Measured: go-redis retries the error 3 times, about 0.51 s apart, before daprd sees it.
    attemptMs: 1_550,
    monitor: true,
    async apply(t) {
      const c = await redisClientOf(t, "reject");
      try {
        // CONFIG GET answers [name, value] over RESP2, { name: value } over RESP3.
        const reply = /** @type {unknown} */ (await c.sendCommand(["CONFIG", "GET", MIN_REPLICAS]));
        const was = Array.isArray(reply) ? reply[1] : /** @type {Record<string, unknown>} */ (reply)?.[MIN_REPLICAS];
        REJECT_WAS.set(t, String(was ?? "0"));
        await c.sendCommand(["CONFIG", "SET", MIN_REPLICAS, "1"]);
      } finally {
        await c.quit().catch(() => undefined);
      }
    },
    async clear(t) {
      const was = REJECT_WAS.get(t);
      if (was === undefined) return;
      const c = await redisClientOf(t, "reject");
      try {
        await c.sendCommand(["CONFIG", "SET", MIN_REPLICAS, was]);
        REJECT_WAS.delete(t);
      } finally {
        await c.quit().catch(() => undefined);
      }
    },
  },
  {
    name: "failover",
    does: "the Sentinel primary SIGKILLed; the replica promoted; the old primary rejoins as its replica",
    standsFor: "a managed Redis losing its primary: the replica takes over within seconds",
    via: "cluster",
    calls: "switch",
    async apply(t) {
      if (!t.cluster) throw new Error("fault failover needs a Sentinel cluster");
      await t.cluster.killPrimary();
    },
    async clear(t) {
      await t.cluster?.restoreOldPrimary();
    },
  },
];

export const FAULT_NAMES = FAULTS.map((f) => f.name);

/**
 * The fault of that name.
 * @param {string} name
 * @returns {Fault}
 */
export function fault(name) {
  const f = FAULTS.find((x) => x.name === name);
  if (!f)
    throw new UsageError(
      `Unknown fault "${name}".`,
      `Valid faults: ${FAULT_NAMES.join(", ")}.\n${FAULTS.map((x) => `  ${x.name.padEnd(9)}${x.does}`).join("\n")}`,
    );
  return f;
}

/**
 * A comma-separated list of fault names (a flag's value), checked; "all" is every fault.
 * @param {string} list
 * @param {readonly string[]} [allowed] the faults this command can run (default: all)
 * @returns {Fault[]}
 */
export function parseFaultList(list, allowed = FAULT_NAMES) {
  const names = list === "all" ? [...allowed] : list.split(",").map((s) => s.trim());
  if (!names.length || names.some((n) => !n))
    throw new UsageError(`"${list}" is not a list of faults.`, `Valid faults: ${allowed.join(", ")}.`);
  const faults = names.map(fault);
  const unusable = faults.find((f) => !allowed.includes(f.name));
  if (unusable) throw new UsageError(`Fault "${unusable.name}" is not available here.`, `Use: ${allowed.join(", ")}.`);
  return faults;
}

/**
 * @typedef {object} Expectations what a policy should show under a fault; undefined: not demanded either way
 * @property {boolean | undefined} callsFail  calls fail at the store while it lasts (daprd logs retries)
 * @property {boolean | undefined} breakerOpens  the breaker opens within a fault of `faultMs`
 * @property {boolean} appStalls        the app saves nothing for most of the fault
 * @property {string} why               the reasoning, for a report
 */

/**
 * How long one failed attempt spends in daprd's Redis client before daprd sees the failure, as
 * measured here (docs/timeline.md): a refused or reset connection about 3.2 s (go-redis's own 3
 * retries); a call that gets no answer, its read timeout and those retries (the lab's `none × hang`).
 */
export const CLIENT_ATTEMPT_MS = { fail: 3_200, hang: 12_000 };

/**
 * What a run should show under `f` with `policy` (the resources' meaning, from resources.mjs),
 * so a verdict follows the fault: a `slow` fault under 1 s does not fail calls, so it
 * must not demand an open breaker.
 * @param {Fault} f
 * @param {Pick<import("./resources.mjs").Policy, "timeoutMs" | "tripAfter" | "retryEveryMs" | "breaker"> | undefined} policy
 * @param {number} faultMs how long the fault is held
 * @returns {Expectations}
 */
export function expectations(f, policy, faultMs) {
  const timeout = policy?.timeoutMs;
  const slowOverTimeout = f.calls === "slow" && timeout !== undefined && (f.latencyMs ?? 0) > timeout;
  // A call that gets no answer fails too: by the policy's timeout, else by the client's read timeout.
  const fails = f.calls === "fail" || f.calls === "hang" || slowOverTimeout;
  // A switch is ridden out inside go-redis's Sentinel client, or fails once and daprd retries (docs/failover.md).
  const callsFail = f.calls === "switch" ? undefined : fails;
  const attemptMs =
    f.calls === "hang" || slowOverTimeout
      ? Math.min(timeout ?? Infinity, CLIENT_ATTEMPT_MS.hang)
      : (f.attemptMs ?? CLIENT_ATTEMPT_MS.fail);
  // The breaker's trip count of failures in a row: the first attempt, then one per retry interval plus attempt.
  const trip = policy?.tripAfter;
  const tripMs = trip === undefined ? Infinity : attemptMs + (trip - 1) * ((policy?.retryEveryMs ?? 0) + attemptMs);
  /** @type {boolean | undefined} */
  let breakerOpens = false;
  if (policy?.breaker && (f.calls === "some" || f.calls === "switch"))
    breakerOpens = undefined; // which calls fail decides
  else if (policy?.breaker && fails)
    breakerOpens = tripMs + 5_000 < faultMs ? true : tripMs > faultMs ? false : undefined;
  const appStalls = f.calls === "fail" || f.calls === "hang" || slowOverTimeout;
  const ms = (/** @type {number} */ x) => `${Math.round(x / 100) / 10} s`;
  const why =
    f.calls === "slow" && !slowOverTimeout
      ? `replies ${f.latencyMs} ms late${timeout ? `, under the ${timeout} ms timeout` : " and no timeout"}: calls succeed, nothing to retry, no breaker`
      : f.calls === "switch"
        ? "calls wait until the Sentinels name the new primary (about 3.3 s here): inside go-redis's Sentinel client, or they fail once and daprd retries; the breaker does not decide it"
        : f.calls === "some"
          ? "a share of calls fail: whether daprd retries and the breaker opens depends on how many fail in a row"
          : `calls fail${f.calls === "hang" || slowOverTimeout ? (timeout ? ` by the ${timeout} ms timeout` : " only by the client's read timeout (no timeout policy)") : ""}; ${
              !policy?.breaker
                ? "no breaker"
                : breakerOpens === true
                  ? `${trip} failures in a row (about ${ms(tripMs)}) open the breaker within the ${ms(faultMs)} fault`
                  : breakerOpens === false
                    ? `${trip} failures in a row take about ${ms(tripMs)}: longer than the ${ms(faultMs)} fault, so the breaker stays closed`
                    : `${trip} failures in a row take about ${ms(tripMs)}, close to the fault's ${ms(faultMs)}: the breaker may open or not`
            }`;
  return { callsFail, breakerOpens, appStalls, why };
}
