// @ts-check
// The promise under faults beyond a plain Redis stop/start: for each variant
// (sdk, http, grpc), against a real daprd and a real Redis of its own, no
// order is lost, none is repeated, and the orders go on at the next id after
// the fault. Each fault runs the three variants at once. Most use a test
// resources folder with a shortened copy of the project's policy (retry every
// 500 ms instead of 5 s, breaker open for 2 s, a 2 s timeout per attempt): the
// test names say so. The run-and-check helpers are in lib/fault-run.mjs.
import path from "node:path";
import readline from "node:readline";
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "vitest";
import { cleanupList, ownRedis } from "./support/test-support.mjs";
import { endProcess } from "../stack/sidecar.mjs";
import { classify, parseDaprdLine } from "../stack/daprd-log.mjs";
import { withRedisClient } from "../stack/redis.mjs";
import { DAPR_BIN, ROOT } from "../stack/paths.mjs";
import {
  APP_ARGS,
  APP_ENV,
  STATESTORE,
  VARIANTS,
  expectPromiseKept,
  lastSaved,
  runThroughFault,
  shortResiliency,
  startApp,
  tail,
  waitForOrder,
} from "./support/fault-run.mjs";

/** @typedef {import("./support/fault-run.mjs").Event} Event */
/** @typedef {import("./support/fault-run.mjs").Recorder} Recorder */
/** @typedef {import("./support/fault-run.mjs").StartedApp} StartedApp */

const APP_RETRY = /retrying the same order/;
/** A full GC every 200 ms in the app: a call limit kept only weakly (Node 20's AbortSignal.any) would never fire. */
const GC_PRESSURE = {
  NODE_OPTIONS: `--expose-gc --import ${pathToFileURL(path.join(ROOT, "tools/e2e/fixtures/gc-pressure.mjs")).href}`,
};

/** daprd's retry lines (a failed attempt) among events [from, to). @param {Recorder} rec @param {number} from @param {number} [to] */
const daprdRetries = (rec, from, to) =>
  /** @type {Event[]} */ (rec.events).slice(from, to).filter((e) => classify(e, STATESTORE)?.kind === "retry");

/**
 * The app's own limit firing: `<variant>-app: Save|Read of order N failed: no answer within MS ms; retrying the same order`.
 * @param {Recorder} rec @param {number} from @param {string} variant @param {number} ms
 */
function gaveUpLines(rec, from, variant, ms) {
  const re = new RegExp(
    `^${variant}-app: (Save|Read) of order (\\d+) failed: no answer within ${ms} ms; retrying the same order`,
  );
  return /** @type {Event[]} */ (rec.events).slice(from).flatMap((e, i) => {
    const m = e.stream === "stderr" ? re.exec(e.line ?? "") : null;
    return m ? [{ index: from + i, op: m[1], id: Number(m[2]) }] : [];
  });
}

/**
 * The order given up on is the one saved next (after a read, the one after it): nothing skipped.
 * @param {Recorder} rec @param {{ index: number, op?: string, id: number }} gaveUp
 */
function nextSavedAfter(rec, gaveUp) {
  return /** @type {Event[]} */ (rec.events).slice(gaveUp.index).find((e) => e.order?.kind === "saving")?.order?.id;
}

describe("faults: every variant keeps its promise (no order lost or repeated, resumes at the next id)", () => {
  describe("Redis SIGKILLed mid-run, restarted 3 s later (append-only file, fsync always) [short test resiliency]", () => {
    test.concurrent.for(VARIANTS)("%s-app", async (variant, { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const redis = await ownRedis(cleanups);
      const pidBefore = redis.pid();
      const run = await runThroughFault({
        variant,
        redis,
        cleanups,
        inject: async () => {
          await redis.stop("SIGKILL");
          await sleep(3_000);
          await redis.start();
        },
      });
      expect(redis.pid()).not.toBe(pidBefore);
      expect(daprdRetries(run.rec, run.faultFrom).length, `daprd retried\n${tail(run.rec)}`).toBeGreaterThan(0);
      await expectPromiseKept(expect, { ...run, redis });
    });
  });

  describe("Redis hung (SIGSTOP, sockets open) for 6 s; a 2 s resiliency timeout makes each attempt fail instead of hang [short test resiliency]", () => {
    test.concurrent.for(VARIANTS)("%s-app", async (variant, { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const redis = await ownRedis(cleanups);
      const run = await runThroughFault({
        variant,
        redis,
        cleanups,
        inject: async () => {
          redis.pause();
          await sleep(6_000);
          redis.resume();
        },
      });
      // Attempts failed after the 2 s timeout and daprd tried again, while Redis was still hung.
      const failures = daprdRetries(run.rec, run.faultFrom, run.recoveredFrom);
      expect(
        failures.length,
        `daprd reported a timed-out attempt during the pause\n${tail(run.rec)}`,
      ).toBeGreaterThanOrEqual(1);
      await expectPromiseKept(expect, { ...run, redis });
    });
  });

  describe("Redis down 9 s, longer than the app's own limit (ORDER_CALL_TIMEOUT_MS=3000) [project resiliency]", () => {
    test.concurrent.for(VARIANTS)(
      "%s-app gives up on the call, retries the same order",
      async (variant, { expect, onTestFinished }) => {
        const cleanups = cleanupList(onTestFinished);
        const redis = await ownRedis(cleanups);
        const run = await runThroughFault({
          variant,
          redis,
          cleanups,
          resources: {}, // resources/resiliency.yaml as it is: retry every 5 s, breaker after 5 failures
          env: { ORDER_CALL_TIMEOUT_MS: "3000" },
          inject: async () => {
            await redis.stop();
            await sleep(9_000);
            await redis.start();
          },
        });
        const [gaveUp] = gaveUpLines(run.rec, run.faultFrom, variant, 3000);
        expect(gaveUp, `the app's own 3 s limit fired\n${tail(run.rec)}`).toBeDefined();
        if (!gaveUp) return;
        expect(nextSavedAfter(run.rec, gaveUp)).toBe(gaveUp.id + (gaveUp.op === "Read" ? 1 : 0));
        await expectPromiseKept(expect, { ...run, redis });
      },
    );
  });

  describe("Redis hung (SIGSTOP) for 8 s, past the app's own limit (ORDER_CALL_TIMEOUT_MS=2000), with a full GC every 200 ms in the app [project resiliency]", () => {
    test.concurrent.for(VARIANTS)(
      "%s-app abandons the call after 2 s, retries the same order, then goes on at the next id",
      async (variant, { expect, onTestFinished }) => {
        const cleanups = cleanupList(onTestFinished);
        const redis = await ownRedis(cleanups);
        const run = await runThroughFault({
          variant,
          redis,
          cleanups,
          resources: {}, // resources/resiliency.yaml as it is: retry every 5 s forever, no timeout
          env: { ORDER_CALL_TIMEOUT_MS: "2000", ...GC_PRESSURE },
          inject: async () => {
            redis.pause();
            await sleep(8_000);
            redis.resume();
          },
        });
        // The limit fired while Redis was hung, more than once, always for the same call.
        const gaveUp = gaveUpLines(run.rec, run.faultFrom, variant, 2000).filter((g) => g.index < run.recoveredFrom);
        expect(gaveUp.length, `the 2 s limit fired during the 8 s hang\n${tail(run.rec)}`).toBeGreaterThanOrEqual(2);
        expect(new Set(gaveUp.map((g) => `${g.op} ${g.id}`)).size, "every retry was for the same call").toBe(1);
        const first = /** @type {(typeof gaveUp)[number]} */ (gaveUp[0]);
        expect(nextSavedAfter(run.rec, first)).toBe(first.id + (first.op === "Read" ? 1 : 0));
        await expectPromiseKept(expect, { ...run, redis });
      },
    );
  });

  describe("daprd SIGKILLed while the app runs, restarted on the same ports 2 s later [short test resiliency]", () => {
    test.concurrent.for(VARIANTS)("%s-app rides it out by retrying", async (variant, { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const redis = await ownRedis(cleanups);
      /** @type {import("node:child_process").ChildProcessByStdio<null, import("node:stream").Readable, import("node:stream").Readable> | undefined} */
      let daprd2;
      const run = await runThroughFault({
        variant,
        redis,
        cleanups,
        inject: async (app) => {
          const from = app.recorder.events.length;
          app.sidecar.daprd.kill("SIGKILL");
          await app.sidecar.daprdExited;
          const refused = await app.recorder.waitFor(
            (/** @type {Event} */ e) => e.stream === "stderr" && APP_RETRY.test(e.line ?? ""),
            {
              from,
              timeoutMs: 10_000,
            },
          );
          expect(refused, `the app noticed daprd was gone\n${tail(app.recorder)}`).toBeTruthy();
          await sleep(2_000);
          const restarted = spawn(path.join(DAPR_BIN, "daprd"), app.sidecar.daprdArgs, {
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
          });
          daprd2 = restarted;
          cleanups.push(async () => {
            await app.sidecar.stop(); // the app first, as `dapr stop` would
            await endProcess(restarted);
          });
          for (const s of [restarted.stdout, restarted.stderr]) {
            readline
              .createInterface({ input: s })
              .on("line", (line) => app.recorder.push({ source: "daprd", line, ...parseDaprdLine(line) }));
          }
        },
      });
      expect(daprd2?.exitCode, "the restarted daprd ran until the end").toBeNull();
      expect(
        /** @type {Event[]} */ (run.rec.events).some(
          (e) =>
            e.source === "daprd" &&
            /HTTP server listening on TCP address: 127\.0\.0\.1:/.test(e.msg ?? "") &&
            e.at > (run.rec.events[run.faultFrom]?.at ?? 0),
        ),
      ).toBe(true);
      await expectPromiseKept(expect, { ...run, redis });
    });
  });

  describe("Redis flapping: five quick stop/starts in a row (SIGTERM and SIGKILL, 0.7 s down, 0.7 s up) [short test resiliency]", () => {
    test.concurrent.for(VARIANTS)("%s-app", async (variant, { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const redis = await ownRedis(cleanups);
      const pids = new Set([redis.pid()]);
      const run = await runThroughFault({
        variant,
        redis,
        cleanups,
        inject: async () => {
          for (let i = 0; i < 5; i++) {
            await redis.stop(i % 2 ? "SIGKILL" : "SIGTERM");
            await sleep(700);
            await redis.start();
            pids.add(redis.pid());
            await sleep(700);
          }
        },
      });
      expect(pids.size, "Redis really restarted five times").toBe(6);
      await expectPromiseKept(expect, { ...run, redis });
    });
  });

  test("all three variants at once against one Redis, distinct app-ids, through a Redis SIGKILL + restart: each keeps its own sequence [short test resiliency]", async ({
    expect,
    onTestFinished,
  }) => {
    const cleanups = cleanupList(onTestFinished);
    const redis = await ownRedis(cleanups);
    const runs = await Promise.all(
      VARIANTS.map(async (variant) => {
        const appId = `order-processor-${variant}`;
        const resources = {
          replace: { "resiliency.yaml": shortResiliency(VARIANTS.map((v) => `order-processor-${v}`)) },
        };
        const app = await startApp({ redis, variant, appId, appArgs: APP_ARGS, env: APP_ENV, resources });
        cleanups.push(() => app.stop());
        return { variant, appId, app, rec: app.recorder, faultFrom: 0, lastBefore: 0 };
      }),
    );
    await Promise.all(runs.map((r) => waitForOrder(r.rec, 5, 30_000, `${r.variant}: before the fault`)));
    for (const r of runs) Object.assign(r, { faultFrom: r.rec.events.length, lastBefore: lastSaved(r.rec) });
    await redis.stop("SIGKILL");
    await sleep(3_000);
    await redis.start();
    await Promise.all(
      runs.map((r) => waitForOrder(r.rec, lastSaved(r.rec) + 5, 90_000, `${r.variant}: after the fault`)),
    );
    await Promise.all(runs.map((r) => r.app.sidecar.stop()));
    for (const r of runs) {
      expect(daprdRetries(r.rec, r.faultFrom).length, `${r.variant}: daprd retried\n${tail(r.rec)}`).toBeGreaterThan(0);
      await expectPromiseKept(expect, { ...r, redis, exit: await r.app.sidecar.appExited }, r.appId);
    }
    // Each app's keys are its own: <app-id>||<order id>, as many as it saved, and no others.
    /** @type {string[]} */
    const keys = await withRedisClient(redis, (client) => client.keys("*"));
    for (const r of runs) {
      const mine = keys
        .filter((k) => k.startsWith(`${r.appId}||`))
        .map((k) => Number(k.split("||")[1]))
        .sort((a, b) => a - b);
      const saved = r.rec.savedOrders();
      expect(mine.slice(0, saved.length), r.variant).toEqual(saved);
    }
    expect(
      keys.every((k) => runs.some((r) => k.startsWith(`${r.appId}||`))),
      keys.join(", "),
    ).toBe(true);
  });
});
