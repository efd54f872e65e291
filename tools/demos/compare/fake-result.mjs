// @ts-check
// FAKE compare results for unit tests only: in-memory rows shaped like a real
// run's (no daprd, no Redis), and a check that an SVG is well-formed.
import { expect } from "vitest";
import { spread } from "../../bench/lib/stats.mjs";
import { perSecond } from "./outage.mjs";
import { summarizeRow } from "./steady.mjs";
import { rowProfile } from "./profiles.mjs";

/** @typedef {import("../../bench/lib/stats.mjs").Spread} Spread */
/** @typedef {import("../../bench/lib/driver.mjs").Ready} Ready */
/** @typedef {import("./host.mjs").Cost} Cost */
/** @typedef {import("./host.mjs").PerProcess} PerProcess */
/** @typedef {import("./steady.mjs").Measurement} Measurement */

/** Tags balance and nest, attributes hold no NaN/undefined, text has no bare & or <: enough for a browser to draw it. @param {string} svg */
export function checkSvg(svg) {
  expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  /** @type {(string | undefined)[]} */
  const stack = [];
  const body = svg.replace(/^<\?xml[^>]*\?>/, "");
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
  }
  expect(stack).toEqual([]);
  const text = body.replace(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, "");
  expect(text).not.toMatch(/[<>]/);
  expect(text).not.toMatch(/&(?!(amp|lt|gt|quot);)/);
}

const lat = (/** @type {number} */ p50) => ({ p50, p90: p50 * 2, p99: p50 * 4, max: p50 * 8, n: 100 });
/** @param {number} calls @param {PerProcess} us µs per call @returns {Cost} */
export const cost = (calls, us, wait = 0) => ({
  wallSeconds: 1,
  cpuSeconds: { client: (us.client * calls) / 1e6, daprd: (us.daprd * calls) / 1e6, redis: (us.redis * calls) / 1e6 },
  mainThreadCpuSeconds: (0.8 * us.client * calls) / 1e6,
  waitSeconds: { client: (wait * calls) / 1e6, daprd: 0, redis: 0 },
  othersCores: 0.2,
  clientRssMB: 40 + us.client / 10,
});
/**
 * Three rounds of one row: its maximum, and open-loop runs at 1000/s whose p50 is `p50` ms.
 * @param {string} row @param {number} cps @param {number} p50 @param {PerProcess} us
 * @returns {Measurement[]}
 */
export function fakeRow(row, cps, p50, us) {
  /** @type {Measurement[]} */
  const out = [];
  for (let round = 0; round < 3; round++) {
    const c = cps * (1 + (round - 1) * 0.05);
    out.push({
      row,
      round,
      phase: "max",
      cost: cost(c, us),
      result: { calls: c, seconds: 1, callsPerSec: c, save: lat(8), get: lat(7) },
    });
    /** @type {Partial<import("../../bench/lib/driver.mjs").OpenResult>} a driver's open-loop RESULT, without `op` */
    const open = { rate: 1000, calls: 1000, sent: 1000, dropped: 0, seconds: 1, achievedPerSec: 1000, lag: lat(0.3) };
    for (const k of /** @type {const} */ (["save", "get", "saveService", "getService"]))
      open[k] = lat(p50 + round * 0.01);
    out.push({ row, round, phase: "open1000", cost: cost(1000, us), result: open });
  }
  return out;
}
/** @type {Ready} */
export const ready = { bootMs: 30, importMs: 40, createMs: 1, firstSaveMs: 5, firstGetMs: 2 };
/** @type {Record<string, [number, number, PerProcess]>} each row's calls/s, open-loop p50 ms and µs per call */
export const US = {
  redis: [20000, 0.3, { client: 60, daprd: 0, redis: 20 }],
  "sdk-http": [4000, 1.1, { client: 300, daprd: 180, redis: 40 }],
  "sdk-grpc": [3000, 1.2, { client: 400, daprd: 150, redis: 40 }],
  http: [5000, 0.75, { client: 150, daprd: 180, redis: 40 }],
  "a<b&c": [5500, 0.8, { client: 100, daprd: 150, redis: 40 }],
  ceiling: [6000, 0.7, { client: 40, daprd: 130, redis: 35 }],
  "grpc-ceiling": [5000, 0.9, { client: 120, daprd: 160, redis: 35 }],
};
/** A compare result with every part the report reads (`steady.measurements` is a stand-in). @param {boolean} withOutage */
export const fakeResult = (withOutage) => {
  const rows = Object.fromEntries(
    Object.entries(US).map(([r, [cps, p50, us]]) => [
      r,
      { ...summarizeRow(fakeRow(r, cps, p50, us), ready, true), profile: fakeProfile(cps, us) },
    ]),
  );
  return {
    date: "2025-01-01T00:00:00.000Z",
    argv: ["--quick"],
    quick: true,
    wallSeconds: 60,
    plan: {
      rates: [1000],
      rounds: 3,
      rewarmCalls: 50,
      warmCalls: 200,
      concurrency: 16,
      maxMs: 500,
      openMs: 400,
      driverStartupReps: 1,
      startupReps: 1,
    },
    machine: {
      cpus: 2,
      model: "x",
      memMB: 1,
      clockTicks: 100,
      loadBefore: [1, 1, 1],
      loadAfter: [2, 2, 2],
      others: [{ pid: 1, comm: "x", cmd: "a|b", cpuSeconds: 3, percentOfOneCore: 5 }],
    },
    versions: { node: "v20", daprd: "1.18.2", daprSdk: "3.18.0", redisServer: "7", nodeRedis: "6" },
    pinning: { note: "pinned", observed: {} },
    steady: {
      rows,
      bareRssMB: spread([40, 41]),
      daprdRssMB: spread([90]),
      measurements: [1, 2],
      order: [["redis", "http"]],
    },
    startup: {
      drivers: {
        http: Object.fromEntries(
          /** @type {(keyof Ready)[]} */ (Object.keys(ready))
            .map((k) => /** @type {[string, Spread]} */ ([k, spread([ready[k]])]))
            .concat([["spawnToReadyMs", spread([80])]]),
        ),
      },
      apps: {
        http: {
          fromAppMs: spread([200]),
          fromDaprdMs: spread([300]),
          daprdReadyMs: spread([100]),
          appRssMB: spread([60]),
          daprdRssMB: spread([90]),
        },
        grpc: {
          fromAppMs: spread([300]),
          fromDaprdMs: spread([400]),
          daprdReadyMs: spread([100]),
          appRssMB: spread([70]),
          daprdRssMB: spread([90]),
        },
      },
    },
    code: { http: { files: ["main.ts"], lines: 10, codeLines: 8, directDependencies: [], packageCount: 0 } },
    outage: {
      note: "n",
      runs: withOutage
        ? {
            http: {
              leadS: 2.5,
              endS: 50,
              firstFailureS: 3.6,
              breakerOpenS: 36,
              redisUpS: 39,
              recoveredAfterUpS: 2,
              ordersSaved: 20,
              appRetries: 0,
              audit: { lost: 0, repeated: 0, skipped: 0 },
              ordersPerSecond: perSecond([-2, -1.5, -0.2, 41, 41.5, 42], -3, 50),
              transitions: [
                { t: 36, to: "open" },
                { t: 41, to: "half-open" },
                { t: 41.01, to: "closed" },
              ],
              metrics: [
                { t: -1, cb: "closed" },
                { t: 38, cb: "open" },
              ],
            },
          }
        : {},
    },
  };
};

/**
 * A profiled run of `cps` calls whose main thread went half to its library, a quarter each to GC and our code.
 * @param {number} cps @param {PerProcess} us
 */
export function fakeProfile(cps, us) {
  const busy = (0.8 * us.client * cps) / 1000; // ms: the main thread's CPU in the 1 s run
  return rowProfile(
    {
      calls: cps,
      callsPerSec: cps * 0.9,
      profileIntervalUs: 200,
      profile: {
        wallMs: 1000,
        sampledMs: 1000,
        busyMs: busy,
        origins: { "grpc-js": busy / 2, GC: busy / 4, "our code": busy / 4, idle: 1000 - busy },
        top: [
          { name: "makeUnaryRequest", origin: "grpc-js", where: "@grpc/grpc-js/build/src/client.js:124", ms: busy / 2 },
        ],
        files: { "@grpc/grpc-js/build/src/client.js": busy / 2 },
        samples: 5000,
      },
    },
    cost(cps, us),
  );
}
