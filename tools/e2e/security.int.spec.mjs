// @ts-check
// Security: daprd's API token (DAPR_API_TOKEN) for all three client styles,
// the Redis password read through a secret store instead of written in a
// file, and nothing the project starts listening beyond loopback.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { $ } from "zx";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { startApp } from "../stack/isolated-stack.mjs";
import { cleanupList, ownRedis } from "./support/test-support.mjs";
import { ToolError } from "../cli/errors.mjs";
import { checkResources, writeRunResources, ENV_SECRET_STORE } from "../stack/resources.mjs";
import { isPortOpen } from "../stack/net.mjs";
import { ROOT, VARIANTS, VARIANT_NAMES } from "../stack/paths.mjs";
import { withRedisClient } from "../stack/redis.mjs";

/**
 * Runs the built app against a running daprd with the given token (undefined: none) until it has retried, then stops it.
 * @param {import("../stack/paths.mjs").VariantName} variant
 * @param {import("../stack/sidecar.mjs").Sidecar} sidecar
 * @param {string | undefined} token
 */
async function runAppWithToken(variant, sidecar, token) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    DAPR_HOST: "127.0.0.1",
    DAPR_HTTP_PORT: String(sidecar.ports.http),
    DAPR_GRPC_PORT: String(sidecar.ports.grpc),
    ORDER_RETRY_PAUSE_MS: "200",
  };
  delete env.DAPR_API_TOKEN;
  if (token !== undefined) env.DAPR_API_TOKEN = token;
  const child = spawn(process.execPath, [VARIANTS[variant].main, "--count", "1", "--start-id", "100"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => (stdout += b));
  child.stderr.on("data", (b) => (stderr += b));
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
  for (let i = 0; i < 100 && !/retrying the same order/.test(stderr) && child.exitCode === null; i++) await sleep(100);
  child.kill("SIGTERM");
  const exit = await Promise.race([exited, sleep(10_000).then(() => (child.kill("SIGKILL"), { hung: true }))]);
  return { exit, stdout, stderr };
}

describe("DAPR_API_TOKEN: daprd requires it, every app variant sends it", () => {
  /** @type {Record<import("../stack/paths.mjs").VariantName, (set: boolean) => RegExp>} */
  const REFUSED = {
    sdk: (set) =>
      new RegExp(
        `sdk-app: Save of order 100 failed: daprd answered 401 invalid api token: DAPR_API_TOKEN ${set ? "does not match daprd's" : "is not set, and daprd requires one"}; retrying the same order`,
      ),
    http: () => /http-app: Save of order 100 failed: daprd answered 401 invalid api token; retrying the same order/,
    grpc: () =>
      /grpc-app: Save of order 100 failed: SaveState: 16 UNAUTHENTICATED: Unauthorized; retrying the same order/,
  };

  test.concurrent.for(VARIANT_NAMES)(
    "%s-app: works with the token; a wrong or missing one is refused (401 / unauthenticated)",
    async (variant, { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const redis = await ownRedis(cleanups);
      const token = randomBytes(16).toString("hex");
      const app = await startApp({ redis, variant, apiToken: token, appArgs: ["--count", "3", "--interval-ms", "50"] });
      cleanups.push(() => app.stop());
      expect(await app.sidecar.appExited).toEqual({ code: 0, signal: null });
      expect(app.recorder.savedOrders()).toEqual([1, 2, 3]);

      // The raw HTTP API: no token and a wrong one get 401, the right one the order.
      const url = `http://127.0.0.1:${app.sidecar.ports.http}/v1.0/state/statestore/1`;
      for (const headers of [{}, { "dapr-api-token": "wrong" }].map((h) => /** @type {Record<string, string>} */ (h))) {
        const res = await fetch(url, { headers });
        expect(res.status).toBe(401);
        expect((await res.text()).trim()).toBe("invalid api token");
      }
      const ok = await fetch(url, { headers: { "dapr-api-token": token } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ orderId: "1" });

      // The same app with a wrong token, then with none: refused, says why, saves nothing, stops cleanly.
      for (const wrong of ["wrong-token", undefined]) {
        const r = await runAppWithToken(variant, app.sidecar, wrong);
        expect(r.exit, r.stderr).toEqual({ code: 0, signal: null });
        expect(r.stderr).toMatch(REFUSED[variant](wrong !== undefined));
        expect(r.stderr).toMatch(new RegExp(`${variant}-app: stopped; last order saved: none \\(0 saved`));
        expect(r.stdout).toBe("");
      }
      expect(await withRedisClient(redis, (client) => client.exists("order-processor||100"))).toBe(0);
    },
  );
});

describe("Redis password from an environment variable through a secret store, not written in any file", () => {
  test("writeRunResources({ redisPasswordFromEnv }) writes a secretKeyRef and a secretstores.local.env component limited to REDIS_*", ({
    onTestFinished,
  }) => {
    const dir = writeRunResources({ redisPasswordFromEnv: true });
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const store = parse(fs.readFileSync(path.join(dir, "statestore.yaml"), "utf8"));
    expect(store.auth).toEqual({ secretStore: ENV_SECRET_STORE });
    expect(store.spec.metadata.find((/** @type {{ name: string }} */ m) => m.name === "redisPassword")).toEqual({
      name: "redisPassword",
      secretKeyRef: { name: "PASSWORD", key: "PASSWORD" },
    });
    const secrets = parse(fs.readFileSync(path.join(dir, "redis-password-secretstore.yaml"), "utf8"));
    expect(secrets).toMatchObject({
      kind: "Component",
      metadata: { name: ENV_SECRET_STORE },
      spec: { type: "secretstores.local.env", metadata: [{ name: "prefix", value: "REDIS_" }] },
    });
    expect(() => checkResources(dir)).not.toThrow();
  });

  test.concurrent.for(VARIANT_NAMES)(
    "%s-app: Redis with a password, daprd reads it from REDIS_PASSWORD: orders saved",
    async (variant, { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const password = randomBytes(12).toString("hex");
      const redis = await ownRedis(cleanups, { password });
      const app = await startApp({
        redis,
        variant,
        daprdEnv: { REDIS_PASSWORD: password },
        resources: { redisPasswordFromEnv: true },
        appArgs: ["--count", "3", "--interval-ms", "50"],
      });
      cleanups.push(() => app.stop());
      expect(await app.sidecar.appExited).toEqual({ code: 0, signal: null });
      expect(app.recorder.savedOrders()).toEqual([1, 2, 3]);
      const msgs = app.recorder.events.map((/** @type {{ msg?: string }} */ e) => e.msg ?? "");
      expect(msgs).toContain(`Component loaded: ${ENV_SECRET_STORE} (secretstores.local.env/v1)`);
      expect(fs.readFileSync(path.join(app.resourcesDir, "statestore.yaml"), "utf8")).not.toContain(password);
      // The secret store hands out REDIS_* only, not the rest of daprd's environment.
      const res = await fetch(`http://127.0.0.1:${app.sidecar.ports.http}/v1.0/secrets/${ENV_SECRET_STORE}/bulk`);
      const bulk = /** @type {Record<string, unknown>} */ (await res.json());
      expect(Object.keys(bulk)).toEqual(["PASSWORD"]);
      // Redis really asks for it.
      /** @type {string} */
      const reply = await new Promise((resolve, reject) => {
        const sock = net.connect(redis.port, "127.0.0.1", () => sock.write("PING\r\n"));
        sock.once("data", (b) => (sock.destroy(), resolve(b.toString())));
        sock.once("error", reject);
      });
      expect(reply).toMatch(/^-NOAUTH Authentication required/);
      const stored = await withRedisClient(redis, (client) => client.hGet("order-processor||3", "data"));
      expect(JSON.parse(stored ?? "null")).toEqual({ orderId: "3" });
    },
  );

  test.concurrent.for(
    /** @type {[string, Record<string, string>, RegExp][]} */ ([
      [
        "a wrong password",
        { REDIS_PASSWORD: "not-the-password" },
        /WRONGPASS invalid username-password pair or user is disabled/,
      ],
      ["REDIS_PASSWORD not set", {}, /NOAUTH Authentication required/],
    ]),
  )(
    "%s: daprd stops at start with Redis' own error, and the tools say so",
    async ([, daprdEnv, redisError], { expect, onTestFinished }) => {
      const cleanups = cleanupList(onTestFinished);
      const redis = await ownRedis(cleanups, { password: randomBytes(12).toString("hex") });
      const err = await startApp({ redis, variant: "http", daprdEnv, resources: { redisPasswordFromEnv: true } }).then(
        (app) => (cleanups.push(() => app.stop()), undefined),
        (e) => e,
      );
      expect(err).toBeInstanceOf(ToolError);
      expect(err.message).toMatch(/^daprd exited \(code 1\) before it was ready:\n/);
      expect(err.message).toMatch(
        new RegExp(
          `Failed to init component statestore \\(state\\.redis/v1\\): .*error connecting to redis at localhost:${redis.port}: ${redisError.source}`,
        ),
      );
      expect(err.fix).toBe(
        "Redis refused the state store's password: set REDIS_PASSWORD to the password Redis was started with (its requirepass).",
      );
    },
  );

  test("zx tools/run.mjs with REDIS_PASSWORD set: the state store takes it through the secret store", async ({
    expect,
    onTestFinished,
    skip,
  }) => {
    // run.mjs ensures the project's Redis on 6379; with REDIS_PASSWORD set it would start it with
    // that password if it were down. Only run while it is up, so this test starts nothing there.
    if (!(await isPortOpen(6379))) skip("the project's Redis on 6379 is not running (npm run setup)");
    const cleanups = cleanupList(onTestFinished);
    const password = randomBytes(12).toString("hex");
    const redis = await ownRedis(cleanups, { password });
    const dir = writeRunResources({ metadata: { redisHost: `localhost:${redis.port}` } }); // plain: redisPassword ""
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const out = await $({
      cwd: ROOT,
      env: { ...process.env, REDIS_PASSWORD: password },
    })`node node_modules/zx/build/cli.js tools/run.mjs grpc --resources ${dir} -- --count 3 --interval-ms 50`
      .nothrow()
      .quiet()
      .timeout("180s");
    const text = stripVTControlCharacters(out.stdout + out.stderr);
    expect(out.exitCode, text).toBe(0);
    expect(text).toMatch(/Redis password: from REDIS_PASSWORD through a secretstores\.local\.env secret store/);
    expect(text).toMatch(/grpc-app exited with code 0; daprd stopped/);
    expect(text).not.toContain(password);
    const keys = await withRedisClient(redis, (client) => client.keys("order-processor||*"));
    expect(keys.sort()).toEqual(["order-processor||1", "order-processor||2", "order-processor||3"]);
  });
});

describe("loopback only", () => {
  test("Redis, daprd and the three apps: every socket they listen on is on 127.0.0.1 or [::1]", async ({
    expect,
    onTestFinished,
  }) => {
    const cleanups = cleanupList(onTestFinished);
    const redis = await ownRedis(cleanups);
    const apps = await Promise.all(
      VARIANT_NAMES.map(async (v) => {
        const app = await startApp({
          redis,
          variant: v,
          appId: `order-processor-${v}`,
          appArgs: ["--interval-ms", "100"],
        });
        cleanups.push(() => app.stop());
        return app;
      }),
    );
    await Promise.all(
      apps.map((a) =>
        a.recorder.waitFor((/** @type {{ order?: { kind: string } }} */ e) => e.order?.kind === "getting", {
          timeoutMs: 30_000,
        }),
      ),
    );
    const pids = {
      redis: [redis.pid()],
      daprd: apps.map((a) => a.sidecar.daprd.pid),
      app: apps.map((a) => a.sidecar.app.pid),
    };
    const all = Object.values(pids).flat();
    expect(all.every((p) => Number.isInteger(p))).toBe(true);
    const tcp = (await $`ss -ltnpH`.quiet()).stdout.split("\n");
    const udp = (await $`ss -lunpH`.quiet()).stdout.split("\n");
    /** @param {string[]} lines  @param {(number | undefined)[]} list */
    const owned = (lines, list) => lines.filter((l) => list.some((p) => l.includes(`pid=${p},`)));
    /** @param {string} l */
    const local = (l) => l.trim().split(/\s+/)[3] ?? "";
    const mine = owned([...tcp, ...udp], all);
    for (const l of mine) expect(local(l), l).toMatch(/^(127\.0\.0\.1|\[::1\]):\d+$/);
    // not vacuous: Redis on both loopbacks, each daprd on its four ports, the apps on none
    expect(
      owned(tcp, pids.redis)
        .map(local)
        .map((a) => a.replace(/:\d+$/, ""))
        .sort(),
    ).toEqual(["127.0.0.1", "[::1]"]);
    for (const p of pids.daprd) expect(owned(tcp, [p]).length).toBeGreaterThanOrEqual(4);
    expect(owned([...tcp, ...udp], pids.app)).toEqual([]);
  });
});
