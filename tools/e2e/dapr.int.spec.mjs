// @ts-check
// The foundation: a real daprd, built or installed by the setup, with the
// project's state store and resiliency policy, in front of a real Redis.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { $ } from "zx";
import { startRedis, startApp } from "../stack/isolated-stack.mjs";
import { withRedisClient } from "../stack/redis.mjs";
import { findCli } from "../stack/dapr-install.mjs";
import { RESOURCES, DAPR_CONFIG, VERSIONS } from "../stack/paths.mjs";

describe("Dapr install", () => {
  it("dapr --version reports the CLI and the runtime", async () => {
    const out = await $`${await findCli()} --version`;
    expect(out.stdout).toMatch(/CLI version: \d+\.\d+\.\d+/);
    expect(out.stdout).toMatch(
      new RegExp(`Runtime version: ${VERSIONS.daprRuntime.split(".").slice(0, 2).join("\\.")}\\.\\d+`),
    );
  });

  it("`dapr run` (the real CLI) starts daprd with the statestore and the resiliency policy", async () => {
    // --config: the project's Configuration, so daprd resolves names without mDNS multicast
    const out =
      await $`${await findCli()} run --app-id order-processor --resources-path ${RESOURCES} --config ${DAPR_CONFIG} --dapr-listen-addresses 127.0.0.1 -- sleep 3`
        .timeout("60s")
        .nothrow();
    expect(out.exitCode, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toMatch(/Loading Resiliency configuration: myresiliency/);
    expect(out.stdout).toMatch(/Component loaded: statestore \(state\.redis\/v1\)/);
    expect(out.stdout).not.toMatch(/level=(error|fatal)/);
  });
});

describe("daprd + Redis through the Dapr HTTP state API", () => {
  /** @type {import("../stack/redis.mjs").LocalRedis} */
  let redis;
  /** @type {import("../stack/isolated-stack.mjs").StackApp} */
  let app;
  beforeAll(async () => {
    redis = await startRedis();
    app = await startApp({ redis, command: ["sleep", "120"] });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    if (redis) fs.rmSync(redis.dir, { recursive: true, force: true }); // its data folder too
  });

  it("loads the resiliency policy and the state store at start", () => {
    const msgs = app.recorder.events.map((/** @type {{ msg?: string }} */ e) => e.msg ?? "");
    expect(msgs).toContain("Loading Resiliency configuration: myresiliency");
    expect(msgs).toContain("Component loaded: statestore (state.redis/v1)");
  });

  it("saves a state item, reads it back, and Redis holds it under order-processor||<key>", async () => {
    const base = `http://127.0.0.1:${app.sidecar.ports.http}/v1.0/state/statestore`;
    const value = { orderId: "foundation", at: Date.now() };
    const save = await fetch(base, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ key: "foundation", value }]),
    });
    expect(save.status).toBe(204);
    const read = await fetch(`${base}/foundation`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(value);
    const stored = await withRedisClient(redis, (client) => client.hGet("order-processor||foundation", "data"));
    expect(JSON.parse(stored ?? "null")).toEqual(value);
  });

  it("listens only on loopback", async () => {
    const ss = await $`ss -ltnpH`;
    const mine = ss.stdout.split("\n").filter((l) => l.includes(`pid=${app.sidecar.daprd.pid},`));
    expect(mine.length).toBeGreaterThanOrEqual(4);
    for (const l of mine) expect(l.split(/\s+/)[3]).toMatch(/^(127\.0\.0\.1|\[::1\]):\d+$/);
  });
});
