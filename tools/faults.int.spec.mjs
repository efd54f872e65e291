// The promise under faults beyond a plain Redis stop/start: for each variant
// (sdk, http, grpc), against a real daprd and a real Redis of its own, no
// order is lost, none is repeated, and the orders go on at the next id after
// the fault. Each fault runs the three variants at once. Most use a test
// resources folder with a shortened copy of the project's policy (retry every
// 500 ms instead of 5 s, breaker open for 2 s, a 2 s timeout per attempt): the
// test names say so.
import path from "node:path";
import readline from "node:readline";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "vitest";
import { startApp } from "./lib/isolated-stack.mjs";
import { cleanupList, ownRedis } from "./lib/test-support.mjs";
import { auditOrders } from "./lib/recorder.mjs";
import { endProcess } from "./lib/sidecar.mjs";
import { parseDaprdLine } from "./lib/daprd-log.mjs";
import { DAPR_BIN } from "./lib/paths.mjs";

const VARIANTS = ["sdk", "http", "grpc"];
const APP_ARGS = ["--interval-ms", "100"];
const APP_ENV = { ORDER_RETRY_PAUSE_MS: "200" };
const DAPRD_RETRY = /Error processing operation component\[statestore\] output\. Retrying/;
const APP_RETRY = /retrying the same order/;

/** The project's policy, shortened for tests; with `scopes` it applies to those app-ids only. */
const shortResiliency = (
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
const SHORT = { replace: { "resiliency.yaml": shortResiliency() } };

const lastSaved = (rec) => rec.savedOrders().at(-1) ?? 0;

function tail(rec, n = 30) {
  return rec.events
    .slice(-n)
    .map((e) => `  ${e.at.toFixed(1)} ${e.source} ${e.msg ?? e.line}`)
    .join("\n");
}

/** Waits until the app has read back order `id` (or a later one). */
async function waitForOrder(rec, id, timeoutMs, when) {
  const e = await rec.waitFor((e) => e.order?.kind === "getting" && e.order.id >= id, { timeoutMs });
  if (!e)
    throw new Error(
      `${when}: order ${id} not read back within ${timeoutMs / 1000} s (last saved: ${lastSaved(rec)})\n${tail(rec)}`,
    );
}

/**
 * Starts the app, lets it save 5 orders, injects the fault, waits for 5 more
 * orders after it, stops the app (SIGTERM) and returns what it reported.
 */
async function runThroughFault({ variant, redis, cleanups, inject, env = {}, appId, resources = SHORT }) {
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

/** The promise: exit 0, the summary names the last saved order, Redis holds every reported order, none skipped or repeated, resumed at the next id. */
async function expectPromiseKept(expect, { rec, redis, faultFrom, lastBefore, exit }, appId = "order-processor") {
  const saved = rec.savedOrders();
  const why = `${appId}\n${tail(rec)}`;
  expect(exit, why).toEqual({ code: 0, signal: null });
  const summary = rec.find((e) => e.source === "app" && /: stopped; last order saved: /.test(e.line));
  expect(summary?.line, why).toMatch(
    new RegExp(`stopped; last order saved: ${saved.at(-1)} \\(${saved.length} saved, \\d+ retried calls\\)`),
  );
  const client = await redis.client();
  let audit;
  try {
    audit = await auditOrders(saved, client, appId);
  } finally {
    await client.quit();
  }
  expect(audit, why).toMatchObject({ first: 1, lost: 0, repeated: [], skipped: [], missing: [], wrong: [] });
  const after = rec.events
    .slice(faultFrom)
    .filter((e) => e.order?.kind === "saving")
    .map((e) => e.order.id);
  expect(after[0], `first order saved after the fault (last before: ${lastBefore})\n${why}`).toBe(lastBefore + 1);
  expect(after.length).toBeGreaterThanOrEqual(5);
}

const sawAfter = (rec, from, re) => rec.events.slice(from).some((e) => re.test(e.msg ?? e.line));

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
      expect(sawAfter(run.rec, run.faultFrom, DAPRD_RETRY), `daprd retried\n${tail(run.rec)}`).toBe(true);
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
      const failures = run.rec.events
        .slice(run.faultFrom, run.recoveredFrom)
        .filter((e) => DAPRD_RETRY.test(e.msg ?? ""));
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
        const events = run.rec.events;
        const i = events.findIndex(
          (e, n) =>
            n >= run.faultFrom &&
            e.stream === "stderr" &&
            /failed: no answer within 3000 ms; retrying the same order/.test(e.line),
        );
        expect(i, `the app's own 3 s limit fired\n${tail(run.rec)}`).toBeGreaterThan(0);
        // The order it gave up on is the one it saves next (or, for a read, it goes on with the one after): nothing skipped.
        const [, op, id] = new RegExp(`^${variant}-app: (Save|Read) of order (\\d+) failed`).exec(events[i].line);
        const next = events.slice(i).find((e) => e.order?.kind === "saving");
        expect(next.order.id).toBe(Number(id) + (op === "Read" ? 1 : 0));
        await expectPromiseKept(expect, { ...run, redis });
      },
    );
  });

  describe("daprd SIGKILLed while the app runs, restarted on the same ports 2 s later [short test resiliency]", () => {
    test.concurrent.for(VARIANTS)("%s-app rides it out by retrying", async (variant, { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const redis = await ownRedis(cleanups);
      let daprd2;
      const run = await runThroughFault({
        variant,
        redis,
        cleanups,
        inject: async (app) => {
          const from = app.recorder.events.length;
          app.sidecar.daprd.kill("SIGKILL");
          await app.sidecar.daprdExited;
          const refused = await app.recorder.waitFor((e) => e.stream === "stderr" && APP_RETRY.test(e.line), {
            from,
            timeoutMs: 10_000,
          });
          expect(refused, `the app noticed daprd was gone\n${tail(app.recorder)}`).toBeTruthy();
          await sleep(2_000);
          daprd2 = spawn(path.join(DAPR_BIN, "daprd"), app.sidecar.daprdArgs, {
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
          });
          cleanups.push(async () => {
            await app.sidecar.stop(); // the app first, as `dapr stop` would
            await endProcess(daprd2);
          });
          for (const s of [daprd2.stdout, daprd2.stderr]) {
            readline
              .createInterface({ input: s })
              .on("line", (line) => app.recorder.push({ source: "daprd", line, ...parseDaprdLine(line) }));
          }
        },
      });
      expect(daprd2.exitCode, "the restarted daprd ran until the end").toBeNull();
      expect(
        run.rec.events.some(
          (e) =>
            e.source === "daprd" &&
            /HTTP server listening on TCP address: 127\.0\.0\.1:/.test(e.msg ?? "") &&
            e.at > run.rec.events[run.faultFrom].at,
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
    const appIds = Object.fromEntries(VARIANTS.map((v) => [v, `order-processor-${v}`]));
    const resources = { replace: { "resiliency.yaml": shortResiliency(Object.values(appIds)) } };
    const apps = {};
    await Promise.all(
      VARIANTS.map(async (v) => {
        apps[v] = await startApp({ redis, variant: v, appId: appIds[v], appArgs: APP_ARGS, env: APP_ENV, resources });
        cleanups.push(() => apps[v].stop());
      }),
    );
    await Promise.all(VARIANTS.map((v) => waitForOrder(apps[v].recorder, 5, 30_000, `${v}: before the fault`)));
    const marks = Object.fromEntries(
      VARIANTS.map((v) => [v, { faultFrom: apps[v].recorder.events.length, lastBefore: lastSaved(apps[v].recorder) }]),
    );
    await redis.stop("SIGKILL");
    await sleep(3_000);
    await redis.start();
    await Promise.all(
      VARIANTS.map((v) =>
        waitForOrder(apps[v].recorder, lastSaved(apps[v].recorder) + 5, 90_000, `${v}: after the fault`),
      ),
    );
    await Promise.all(VARIANTS.map((v) => apps[v].sidecar.stop()));
    for (const v of VARIANTS) {
      const rec = apps[v].recorder;
      expect(sawAfter(rec, marks[v].faultFrom, DAPRD_RETRY), `${v}: daprd retried\n${tail(rec)}`).toBe(true);
      await expectPromiseKept(expect, { rec, redis, exit: await apps[v].sidecar.appExited, ...marks[v] }, appIds[v]);
    }
    // Each app's keys are its own: <app-id>||<order id>, as many as it saved, and no others.
    const client = await redis.client();
    try {
      const keys = await client.keys("*");
      for (const v of VARIANTS) {
        const mine = keys
          .filter((k) => k.startsWith(`${appIds[v]}||`))
          .map((k) => Number(k.split("||")[1]))
          .sort((a, b) => a - b);
        const saved = apps[v].recorder.savedOrders();
        expect(mine.slice(0, saved.length), v).toEqual(saved);
      }
      expect(
        keys.every((k) => Object.values(appIds).some((id) => k.startsWith(`${id}||`))),
        keys.join(", "),
      ).toBe(true);
    } finally {
      await client.quit();
    }
  });
});
