// @ts-check
// One soak, start to end: its own Redis (behind the fault proxy when there is
// one), the apps, the schedule's lanes run side by side, Redis read at
// checkpoints, memory sampled; then the apps stopped, Redis read a last time,
// and everything handed to the checker. Whatever it started or stopped is put
// back on every way out (the cleanups of cli/cleanup.mjs).
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseConfig } from "@dapr-resiliency/order-model";
import { ToolError } from "../../cli/errors.mjs";
import { say } from "../../cli/console.mjs";
import { checkResources } from "../../stack/resources.mjs";
import { startSoakApps } from "./apps.mjs";
import { startStore } from "./store.mjs";
import { applyFault } from "./inject.mjs";
import { judge } from "./checker.mjs";
import { MemorySampler } from "./memory.mjs";
import { faultName } from "./schedule.mjs";

/** @typedef {import("./checker.mjs").DoneFault} DoneFault */
/** @typedef {import("./checker.mjs").StoreCheck} StoreCheck */

/**
 * How long an app may take to save again once its faults clear, from what it and daprd are set to:
 * a call in flight may wait the app's call timeout, then daprd's next retry and, with the breaker
 * open, its open time pass before a save goes through; plus 10 s for a loaded machine.
 * @param {import("../../stack/resources.mjs").Policy | undefined} policy
 */
export function recoveryBound(policy) {
  const app = parseConfig([], {});
  const parts = {
    callTimeoutS: app.callTimeoutMs / 1000,
    retryEveryS: (policy?.retryEveryMs ?? 0) / 1000,
    breakerOpenS: (policy?.openForMs ?? 0) / 1000,
    slackS: 10,
  };
  return { boundS: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/**
 * Reads every order each app has reported saved, as Redis stores it; undefined when Redis does not answer in time.
 * @param {import("./store.mjs").SoakStore} store
 * @param {import("./apps.mjs").SoakApp[]} apps
 * @param {number} at @param {string} label
 * @returns {Promise<StoreCheck | undefined>}
 */
async function readStore(store, apps, at, label) {
  const client = await store.connect().catch(() => undefined);
  if (!client) return undefined;
  const timer = setTimeout(() => client.disconnect().catch(() => undefined), 20_000); // Redis frozen mid-read
  try {
    /** @type {StoreCheck["apps"]} */
    const out = {};
    for (const app of apps) {
      const saved = app.saves.map((s) => s.id);
      const ids = [...new Set(saved)];
      /** @type {Map<number, string | null>} */
      const stored = new Map();
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const values = await Promise.all(chunk.map((id) => client.hGet(`${app.appId}||${id}`, "data")));
        chunk.forEach((id, k) => stored.set(id, values[k] ?? null));
      }
      out[app.appId] = { saved, stored };
    }
    return { at, label, apps: out };
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    await client.quit().catch(() => undefined);
  }
}

/**
 * @param {object} o
 * @param {import("./schedule.mjs").Schedule} o.schedule
 * @param {readonly import("./args.mjs").SoakStyle[]} o.styles
 * @param {import("./store.mjs").ProxyStarter} [o.proxy]
 *   puts the fault proxy in front of Redis; undefined: daprd talks to Redis directly (no network faults)
 * @param {"local" | "sentinel"} [o.redisMode]
 * @param {import("../../stack/sentinel-config.mjs").Durability} [o.durability]
 * @param {import("./checker.mjs").PartitionPromise} [o.partition] with --partition: what the docs allow to be lost
 * @param {Record<string, string>} [o.appEnv] for every app (STATE_CONSISTENCY)
 */
export async function runSoak({
  schedule,
  styles,
  proxy,
  redisMode = "local",
  durability = "async",
  partition,
  appEnv,
}) {
  const { policy } = checkResources();
  const { boundS, parts } = recoveryBound(policy);
  const t0 = Date.now();
  const now = () => (Date.now() - t0) / 1000;

  const store = await startStore({ mode: redisMode, durability, proxy, partitionable: Boolean(partition) });
  say("soak", `Redis: ${store.describe}`);
  const apps = await startSoakApps({ styles, metadata: store.metadata, now, env: appEnv });
  for (const app of apps) say("soak", `${app.appId}: ${app.label}, daprd pid ${app.daprd.pid}`);
  for (const app of apps) {
    for (let i = 0; app.saves.length === 0; i++) {
      if (i > 600 || app.exitedByItself) throw new ToolError(`${app.appId} saved no order within 60 s of its start.`);
      await sleep(100);
    }
  }
  const baseS = now(); // the schedule's 0: every app is saving
  say("soak", `all ${apps.length} apps saving; faults start (schedule times are from here, +${baseS.toFixed(1)} s)`);

  /** @type {DoneFault[]} */
  const done = [];
  /** @type {Set<string>} */
  const active = new Set();
  const busyLanes = new Set();
  const targets = { ...store.targets, apps, now };
  const untilS = async (/** @type {number} */ s) => {
    const ms = (baseS + s - now()) * 1000;
    if (ms > 0) await sleep(ms);
  };

  /** @param {string} lane */
  const runLane = async (lane) => {
    for (const f of schedule.faults.filter((x) => x.lane === lane)) {
      await untilS(f.atS);
      busyLanes.add(lane);
      /** @type {DoneFault} */
      const d = {
        n: f.n,
        lane: f.lane,
        kind: f.kind,
        ...(f.target ? { target: f.target } : {}),
        startS: now(),
        endS: NaN,
      };
      active.add(faultName(f));
      say("fault", `${faultName(f)} for ${f.forS} s   (active: ${[...active].join(", ")})`);
      try {
        const clear = await applyFault(f, targets);
        await sleep(Math.max(0, (d.startS + f.forS - now()) * 1000));
        const facts = await clear();
        if (facts) d.facts = facts;
      } catch (err) {
        d.error = err instanceof Error ? err.message : String(err);
        say("fault", `${faultName(f)} failed: ${d.error}`);
      }
      d.endS = now();
      done.push(d);
      active.delete(faultName(f));
      busyLanes.delete(lane);
      say("fault", `${faultName(f)} cleared after ${(d.endS - d.startS).toFixed(1)} s`);
    }
  };

  /** @type {StoreCheck[]} */
  const checks = [];
  const memory = new MemorySampler();
  let finished = false;
  const checkpointS = schedule.durationS > 600 ? 120 : 30;
  const sampleS = schedule.durationS > 600 ? 10 : 2;
  const sampleAll = () =>
    memory.sample(now(), [
      ...apps.flatMap((a) => [
        { name: `${a.appId} app`, pid: a.stack.sidecar.app.pid },
        { name: `${a.appId} daprd`, pid: a.daprd.pid },
      ]),
      ...store.procs(),
    ]);
  const sampler = (async () => {
    while (!finished) {
      sampleAll();
      await sleep(sampleS * 1000);
    }
  })();
  const load = [{ at: 0, load: os.loadavg() }];
  const checkpoints = (async () => {
    for (let next = checkpointS; !finished; await sleep(1_000)) {
      if (now() - baseS < next || busyLanes.has("redis")) continue;
      const c = await readStore(store, apps, now(), "checkpoint");
      if (c) checks.push(c);
      load.push({ at: now(), load: os.loadavg() });
      next = now() - baseS + checkpointS; // after a busy stretch, not one read after another to catch up
      const counts = apps.map((a) => `${a.appId} ${a.saves.length}`).join(", ");
      say("soak", `checkpoint ${c ? "read" : "skipped (Redis did not answer)"}: ${counts}`);
    }
  })();

  await Promise.all([...new Set(schedule.faults.map((f) => f.lane))].map(runLane));
  // The last faults are gone: each app must save again, within the bound.
  const lastEnd = Math.max(baseS, ...done.map((d) => d.endS));
  while (now() < lastEnd + boundS && apps.some((a) => !a.exitedByItself && !a.saves.some((s) => s.at > lastEnd))) {
    await sleep(500);
  }
  await untilS(schedule.durationS);
  const endS = now();
  finished = true;
  await Promise.all([sampler, checkpoints]);
  sampleAll();
  say("soak", "stopping the apps (SIGTERM), then reading Redis a last time");
  await Promise.all(apps.map((a) => a.stop()));
  const final = await readStore(store, apps, now(), "final");
  if (!final) throw new ToolError("Redis did not answer the final read: the soak cannot say what it holds.");
  checks.push(final);
  load.push({ at: now(), load: os.loadavg() });

  const verdict = await judge({ apps, faults: done, checks, boundS, endS, partition });
  return {
    seed: schedule.seed,
    durationS: schedule.durationS,
    baseS,
    endS,
    boundS,
    boundParts: parts,
    policy,
    network: store.network,
    redis: redisMode,
    durability: redisMode === "sentinel" ? durability : undefined,
    partition,
    appEnv,
    schedule: schedule.faults,
    faults: done.sort((a, b) => a.n - b.n),
    apps: apps.map((a) => ({
      appId: a.appId,
      style: a.style,
      label: a.label,
      saved: a.saves.length,
      first: a.saves[0]?.id,
      last: a.saves.at(-1)?.id,
      exitedByItself: a.exitedByItself,
      daprdRestarts: a.daprdRestarts,
      counts: countsOverTime(a.saves, endS),
    })),
    checks: checks.map((c) => ({
      at: c.at,
      label: c.label,
      orders: Object.values(c.apps).reduce((n, x) => n + x.saved.length, 0),
    })),
    memory: memory.summary(),
    load,
    verdict,
  };
}

/**
 * An app's saved-order count over time, one point a second at most (the picture's line).
 * @param {{ at: number }[]} saves @param {number} endS
 * @returns {[number, number][]} [seconds, count]
 */
export function countsOverTime(saves, endS) {
  const r = (/** @type {number} */ x) => Math.round(x * 10) / 10;
  /** @type {[number, number][]} */
  const out = [[0, 0]];
  let next = 0;
  saves.forEach((s, i) => {
    const prev = saves[i - 1];
    // Around a stall, the last save before it and the first after it exactly: the line is flat between them.
    const stalled = prev !== undefined && s.at - prev.at > 2;
    if (stalled && out.at(-1)?.[0] !== r(prev.at)) out.push([r(prev.at), i]);
    if (s.at >= next || stalled) {
      out.push([r(s.at), i + 1]);
      next = s.at + 1;
    }
  });
  out.push([r(endS), saves.length]);
  return out;
}

/** @typedef {Awaited<ReturnType<typeof runSoak>>} SoakResult */
