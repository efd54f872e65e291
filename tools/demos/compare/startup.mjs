// @ts-check
// Start-up and memory. The real app: from its spawn to its first `Saving Order`
// line (printed once the first save succeeded), beside a daprd that is already
// ready, as with `dapr run`; its resident memory sampled while it runs. And
// where that time goes: fresh bench drivers time Node's own start, importing
// the client module, creating the client and the first save and read.
import { VARIANTS } from "../../stack/paths.mjs";
import { ToolError } from "../../cli/errors.mjs";

import { spread, round3 } from "../../bench/lib/stats.mjs";
import { Driver, startTypedApp } from "./host.mjs";
import { rssMB } from "./procs.mjs";
import { untilExit } from "./outage.mjs";

/** @typedef {import("../../bench/lib/stats.mjs").Spread} Spread */
/** @typedef {{fromDaprdMs: Spread, fromAppMs: Spread, daprdReadyMs: Spread, appRssMB: Spread, daprdRssMB: Spread, runs: object[]}} AppStartup */
/** @typedef {{spawnToReadyMs: Spread, bootMs: Spread, importMs: Spread, createMs: Spread, firstSaveMs: Spread, firstGetMs: Spread}} DriverStartup */

/**
 * @param {{redis: any, pin: import("./procs.mjs").Pinning, plan: any, resources: object}} ctx
 * @param {keyof typeof VARIANTS} variant
 * @returns {Promise<AppStartup>}
 */
export async function appStartup(ctx, variant) {
  /** @type {{fromDaprdMs: number, fromAppMs: number, daprdReadyMs: number}[]} */
  const runs = [];
  const appCmd = (/** @type {string[]} */ ...args) => ctx.pin.wrap([process.execPath, VARIANTS[variant].main, ...args]);
  for (let i = 0; i < ctx.plan.startupReps; i++) {
    const app = await startTypedApp({
      redis: ctx.redis,
      appId: `startup-${variant}`,
      resources: ctx.resources,
      command: appCmd("--count", "3", "--interval-ms", "0"),
    });
    try {
      const { sidecar, recorder } = app;
      const first = await recorder.waitFor((/** @type {any} */ e) => e.order?.kind === "saving", { timeoutMs: 30_000 });
      if (!first) throw new ToolError(`${variant}: no order saved within 30 s of start-up.`);
      const at = recorder.t0 + first.at * 1000;
      runs.push({
        fromDaprdMs: at - sidecar.startedAt,
        fromAppMs: at - sidecar.appStartedAt,
        daprdReadyMs: sidecar.readyAt - sidecar.startedAt,
      });
      await untilExit(sidecar.appExited, 30_000, `${variant} (--count 3)`);
    } finally {
      await app.stop();
    }
  }
  // Resident memory once the client is warm: sampled at orders 4, 7 and 10 of 12.
  const app = await startTypedApp({
    redis: ctx.redis,
    appId: `startup-${variant}`,
    resources: ctx.resources,
    command: appCmd("--count", "12", "--interval-ms", "100"),
  });
  const appRss = [];
  const daprdRss = [];
  try {
    for (const id of [4, 7, 10]) {
      const e = await app.recorder.waitFor((/** @type {any} */ e) => e.order?.kind === "saving" && e.order.id === id, {
        timeoutMs: 30_000,
      });
      if (!e) break;
      appRss.push(rssMB(app.sidecar.app?.pid));
      daprdRss.push(rssMB(app.sidecar.daprd.pid));
    }
    await untilExit(app.sidecar.appExited, 30_000, `${variant} (--count 12)`);
  } finally {
    await app.stop();
  }
  /** @param {string} k */
  const sp = (k) => spread(runs.map((/** @type {any} */ r) => r[k]));
  return {
    runs,
    fromDaprdMs: sp("fromDaprdMs"),
    fromAppMs: sp("fromAppMs"),
    daprdReadyMs: sp("daprdReadyMs"),
    appRssMB: spread(appRss),
    daprdRssMB: spread(daprdRss),
  };
}

/**
 * Fresh bench drivers for one row, started and stopped `reps` times: where the time to the first call goes.
 * @param {{redis: any, pin: import("./procs.mjs").Pinning, daprd: import("./host.mjs").Daprd, ours: Set<number>}} ctx
 * @param {string} row
 * @param {number} reps
 * @returns {Promise<DriverStartup>}
 */
export async function driverStartup(ctx, row, reps) {
  /** @type {Record<string, number>[]} */
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const d = new Driver({
      store: row,
      pin: ctx.pin,
      daprd: row === "redis" ? undefined : ctx.daprd,
      redis: ctx.redis,
      keyPrefix: "startup",
    });
    ctx.ours.add(d.pid);
    try {
      const ready = await d.ready;
      runs.push({ spawnToReadyMs: performance.now() - t, ...ready });
    } finally {
      await d.stop();
    }
  }
  /** @param {string} k */
  const sp = (k) => spread(runs.map((/** @type {any} */ r) => round3(r[k])));
  return {
    spawnToReadyMs: sp("spawnToReadyMs"),
    bootMs: sp("bootMs"),
    importMs: sp("importMs"),
    createMs: sp("createMs"),
    firstSaveMs: sp("firstSaveMs"),
    firstGetMs: sp("firstGetMs"),
  };
}
