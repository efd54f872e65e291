// @ts-check
// The three client styles against a real daprd and a real Redis: each prints
// exactly the seed's lines and its orders land in Redis with their values.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, startApp } from "../stack/isolated-stack.mjs";
import { withRedisClient } from "../stack/redis.mjs";

const N = 5;
/** @param {number} n */
const seedLines = (n) =>
  Array.from({ length: n }, (_, i) => [
    `Saving Order:  { orderId: '${i + 1}' }`,
    `Getting Order:  { orderId: '${i + 1}' }`,
  ]).flat();

/** @type {{ name: string, variant: import("../stack/paths.mjs").VariantName, env: Record<string, string> }[]} */
const cases = [
  { name: "sdk-app (SDK over HTTP)", variant: "sdk", env: {} },
  { name: "sdk-app (SDK over gRPC)", variant: "sdk", env: { DAPR_PROTOCOL: "grpc" } },
  { name: "http-app", variant: "http", env: {} },
  { name: "grpc-app", variant: "grpc", env: {} },
];

describe.each(cases)("$name", ({ variant, env }) => {
  /** @type {import("../stack/redis.mjs").LocalRedis} */
  let redis;
  /** @type {import("../stack/isolated-stack.mjs").StackApp} */
  let app;
  /** @type {Awaited<import("../stack/sidecar.mjs").Sidecar["appExited"]>} */
  let exit;
  beforeAll(async () => {
    redis = await startRedis();
    app = await startApp({ redis, variant, env, appArgs: ["--count", String(N), "--interval-ms", "50"] });
    exit = await app.sidecar.appExited;
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    if (redis) fs.rmSync(redis.dir, { recursive: true, force: true }); // its data folder too
  });

  it(`saves orders 1..${N} and exits 0`, () => {
    expect(exit.code).toBe(0);
    expect(app.recorder.savedOrders()).toEqual([1, 2, 3, 4, 5]);
  });

  it("prints exactly the seed's lines on stdout", () => {
    expect(app.recorder.appStdout()).toEqual(seedLines(N));
  });

  it("leaves each order in Redis as order-processor||N with its JSON value", async () => {
    await withRedisClient(redis, async (client) => {
      const keys = (await client.keys("order-processor||*")).sort();
      expect(keys).toEqual(Array.from({ length: N }, (_, i) => `order-processor||${i + 1}`).sort());
      for (let i = 1; i <= N; i++) {
        expect(JSON.parse((await client.hGet(`order-processor||${i}`, "data")) ?? "null")).toEqual({
          orderId: String(i),
        });
      }
    });
  });
});
