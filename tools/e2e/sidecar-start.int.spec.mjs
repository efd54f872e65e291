// @ts-check
// When a daprd start counts as a start (stack/sidecar.mjs), with a real daprd:
// - a component that fails to initialise: daprd 1.18 still opens its servers and
//   answers "ready" on /v1.0/healthz/outbound for a moment before it exits. On a
//   quiet machine that moment is under a millisecond; on a loaded one it grows,
//   and startApp once resolved on it (security.int.spec.mjs, 587 ms). Here daprd is
//   starved of CPU from its spawn on (SIGSTOP, a millisecond of
//   SIGCONT now and then, as on a machine at load 20), which stretches that moment
//   towards the health probe's 100 ms poll: every start must still fail, with Redis'
//   error.
// - a resiliency policy daprd cannot read: it logs the error and runs with no
//   policy at all. That is a failed start too, with daprd's line quoted.
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { startApp } from "../stack/isolated-stack.mjs";
import { cleanupList, ownRedis } from "./support/test-support.mjs";
import { ToolError } from "../cli/errors.mjs";
import { RESOURCES } from "../stack/paths.mjs";

/**
 * The pid of the daprd started with `--app-id appId`, as soon as it exists: /proc polled every
 * 2 ms (each new pid looked at once), since a failing daprd lives only some tens of milliseconds.
 * @param {string} appId
 * @returns {Promise<number | undefined>}
 */
async function daprdPid(appId, timeoutMs = 15_000) {
  const seen = new Set();
  const ours = fs.readFileSync("/proc/self/cmdline", "utf8");
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(2)) {
    for (const pid of fs.readdirSync("/proc")) {
      if (seen.has(pid) || !/^\d+$/.test(pid)) continue;
      let cmdline;
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch (err) {
        if (/** @type {NodeJS.ErrnoException} */ (err).code === "ENOENT") seen.add(pid); // gone; else mid-exec
        continue;
      }
      // forked from this process and not yet exec'd, or mid-exec (empty): look again next time
      if (!cmdline || cmdline === ours) continue;
      const args = cmdline.split("\0");
      if (args[0]?.endsWith("/daprd") && args[args.indexOf("--app-id") + 1] === appId) return Number(pid);
      seen.add(pid);
    }
  }
  return undefined;
}

/**
 * Starves a process of CPU until it exits: stopped for `everyMs` at a time, let run for about a
 * millisecond in between, or, once `hard.on`, for only as long as it takes to stop it again.
 * @param {number} pid
 * @param {{ on: boolean }} hard
 */
async function starve(pid, hard, everyMs = 40) {
  try {
    for (;;) {
      process.kill(pid, "SIGSTOP");
      await sleep(everyMs);
      process.kill(pid, "SIGCONT");
      await (hard.on ? new Promise(setImmediate) : sleep(1));
    }
  } catch {
    /* it exited */
  }
}

describe("a daprd start counts only when daprd has not said it failed", () => {
  test("a state store that fails to initialise (Redis: NOAUTH), daprd starved of CPU: every start fails with Redis' error", async ({
    onTestFinished,
  }) => {
    const cleanups = cleanupList(onTestFinished);
    const redis = await ownRedis(cleanups, { password: randomBytes(12).toString("hex") });
    const run = randomBytes(4).toString("hex");
    const attempts = Array.from({ length: 6 }, async (_, i) => {
      const appId = `start-race-${run}-${i}`;
      const started = Date.now();
      // Starved a little from its spawn on, so that its lines arrive long before it ends; hard
      // once it has said its component failed, so that the moment it answers "ready" lasts.
      const hard = { on: false };
      const starving = daprdPid(appId).then((pid) => (pid ? starve(pid, hard).then(() => true) : false));
      const outcome = await startApp({
        redis,
        variant: "http",
        appId,
        resources: { redisPasswordFromEnv: true }, // REDIS_PASSWORD not set: Redis answers NOAUTH
        onEvent: (/** @type {{ msg?: string }} */ e) => {
          if (/^Error processing component, daprd will exit gracefully/.test(e.msg ?? "")) hard.on = true;
        },
      }).then(
        (app) => (cleanups.push(() => app.stop()), { resolved: true, ms: Date.now() - started }),
        (err) => ({ resolved: false, err }),
      );
      return { ...outcome, starved: await starving };
    });
    const outcomes = await Promise.all(attempts);
    // the race was set up in most attempts (on a loaded machine a daprd can start and exit between two
    // looks at /proc, and is then not starved: that attempt still must not count as a start)…
    expect(outcomes.filter((o) => o.starved).length).toBeGreaterThanOrEqual(3);
    // …and no start counted
    expect(outcomes.filter((o) => o.resolved)).toEqual([]);
    for (const o of outcomes) {
      const err = "err" in o ? o.err : undefined;
      expect(err).toBeInstanceOf(ToolError);
      expect(err.message).toMatch(/^daprd exited \(code 1\) before it was ready:\n/);
      expect(err.message, err.message).toMatch(/Failed to init component statestore \(state\.redis\/v1\): .*NOAUTH/);
      expect(err.fix).toMatch(/^Redis refused the state store's password/);
    }
  });

  test("a resiliency policy daprd cannot read (the trip expression cut short): a failed start (exit 2) quoting daprd's line", async ({
    onTestFinished,
  }) => {
    const cleanups = cleanupList(onTestFinished);
    const redis = await ownRedis(cleanups);
    const seed = fs.readFileSync(`${RESOURCES}/resiliency.yaml`, "utf8");
    const cut = seed.replace("trip: consecutiveFailures >= 5", "trip: consecutiveFailures >=");
    expect(cut).not.toBe(seed);
    // startApp runs no checkResources (the walkthrough does, before anything starts): daprd itself must be heard
    const err = await startApp({ redis, variant: "http", resources: { replace: { "resiliency.yaml": cut } } }).then(
      (app) => (cleanups.push(() => app.stop()), undefined),
      (e) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(
      /^daprd could not read a resiliency policy in \S+ and would have run without it \(no retries, no breaker\):\nCould not read resiliency policy myresiliency: .*error decoding 'trip': invalid Expr "consecutiveFailures >=": .*Syntax error/s,
    );
  });
});
