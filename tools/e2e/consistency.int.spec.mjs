// @ts-check
// STATE_CONSISTENCY=strong end to end: each client style beside a real daprd
// on a real primary and replica (the Sentinel cluster of stack/), and the
// primary's own count of WAIT commands. daprd's Redis store sends
// `WAIT <replicas> 1000` after a write only for a save that asks for strong
// consistency (components-contrib state/redis Set), so the count says whether
// the option reached daprd, per style, and that the default sends none.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SentinelCluster } from "../stack/sentinel-cluster.mjs";
import { storeMetadata } from "../stack/sentinel-config.mjs";
import { startSidecar } from "../stack/sidecar.mjs";
import { writeRunResources } from "../stack/resources.mjs";
import { VARIANTS } from "../stack/paths.mjs";
import { STYLES } from "../bench/lib/styles.mjs";

const ORDERS = 3;
const cluster = new SentinelCluster({ replicas: 1 });
/** @type {string} */
let resourcesDir;

beforeAll(async () => {
  await cluster.start();
  resourcesDir = writeRunResources({ metadata: storeMetadata(cluster.sentinels.map((s) => s.port)) });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
  if (resourcesDir) fs.rmSync(resourcesDir, { recursive: true, force: true });
});

/**
 * Runs one style for ORDERS orders; returns its exit and the WAITs the primary answered meanwhile.
 * @param {string} style @param {Record<string, string>} env
 */
async function waitsDuring(style, env) {
  const s = /** @type {import("../bench/lib/styles.mjs").Style} */ (STYLES[style]);
  const before = await cluster.waitCalls(cluster.primaryPort);
  const sidecar = await startSidecar({
    command: [process.execPath, VARIANTS[s.app].main],
    appId: `consistency-${style}`,
    resourcesDir,
    env: { ...s.env, ...env, ORDER_COUNT: String(ORDERS), ORDER_INTERVAL_MS: "0" },
  });
  try {
    const exit = await sidecar.appExited;
    return { exit, waits: (await cluster.waitCalls(cluster.primaryPort)) - before };
  } finally {
    await sidecar.stop();
  }
}

describe("STATE_CONSISTENCY reaches daprd's Redis store: WAIT on the primary after each strong save", () => {
  test.each(Object.keys(STYLES))(
    "%s with STATE_CONSISTENCY=strong: at least one WAIT per order",
    async (style) => {
      const r = await waitsDuring(style, { STATE_CONSISTENCY: "strong" });
      expect(r.exit.code).toBe(0);
      expect(r.waits).toBeGreaterThanOrEqual(ORDERS);
    },
    60_000,
  );

  test.each([
    ["http", {}],
    ["sdk-grpc", { STATE_CONSISTENCY: "eventual" }],
  ])(
    "%s with %j: no WAIT",
    async (style, env) => {
      const r = await waitsDuring(style, env);
      expect(r.exit.code).toBe(0);
      expect(r.waits).toBe(0);
    },
    60_000,
  );
});
