// @ts-check
// Container mode end to end: the walkthrough with --redis docker runs the
// seed's own `docker stop dapr_redis` / `docker start dapr_redis` against a real
// engine (the user's Docker, else this project's podman, installed on first
// use), audits the orders in the container's Redis, and leaves dapr_redis and
// the project's redis-server as it found them, also after a Ctrl-C mid-outage.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, test } from "vitest";
import { $ } from "zx";
import { ROOT } from "../stack/paths.mjs";
import { LocalRedis } from "../stack/redis.mjs";
import { ensureEngine } from "../stack/container-engine.mjs";
import { DAPR_REDIS, createRedisContainer, inspect } from "../stack/redis-container.mjs";
import { freePort } from "../stack/net.mjs";
import { cleanupList } from "./support/test-support.mjs";
import { VARIANTS, expectPromiseKept, runThroughFault } from "./support/fault-run.mjs";
import { nodeBaseImage, startUpToFirstOrder } from "../stack/app-images.mjs";

const zx = ["node", `${ROOT}/node_modules/zx/build/cli.js`, `${ROOT}/tools/demo.mjs`, "walkthrough"];

/** What the run must leave as it found: dapr_redis's state and the project's redis-server. */
async function machineState() {
  await ensureEngine(); // sets DOCKER_HOST for this process, as the walkthrough does for itself
  const c = await inspect(DAPR_REDIS);
  return {
    daprRedis: c ? (c.State?.Running ? "running" : "stopped") : "absent",
    localRedis: await new LocalRedis().isOurs(),
  };
}

describe("walkthrough --redis docker (the seed's docker stop/start dapr_redis)", () => {
  it("passes for sdk-app against dapr_redis and leaves dapr_redis and the project's Redis as found", async () => {
    const before = await machineState();
    const out = await $({ cwd: ROOT })`${zx} --redis docker --json`.nothrow().timeout("360s");
    /** @type {{ ok: boolean, results: import("../demos/walkthrough/types.mjs").WalkResult[] }} */
    const result = JSON.parse(out.stdout || "{}");
    const [r] = result.results ?? [];
    const missing = r?.expectations.filter((x) => !x.ok).map((x) => x.name);
    expect(missing, out.stderr.slice(-3000)).toEqual([]);
    expect(out.exitCode).toBe(0);
    expect(r?.orders).toMatchObject({ lost: 0, repeated: 0, skipped: 0 });
    expect(out.stderr).toContain(`3. Stop Redis (container ${DAPR_REDIS} (127.0.0.1:6379))`);
    expect(out.stderr).toContain(`stopped (docker stop ${DAPR_REDIS})`);
    expect(out.stderr).toContain(`started (docker start ${DAPR_REDIS})`);
    expect(await machineState()).toEqual({
      ...before,
      daprRedis: before.daprRedis === "absent" ? "stopped" : before.daprRedis,
    });
  });

  it("Ctrl-C while dapr_redis is stopped: exit 130, dapr_redis and the project's Redis put back", async () => {
    const before = await machineState();
    const child = spawn(zx[0] ?? "node", [...zx.slice(1), "--redis", "docker"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      // a tool under Vitest leaves the signals to the runner (cli/cleanup.mjs): this one is a user's
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST"))),
    });
    let err = ""; // both streams
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
    const stopped = new Promise((resolve) => {
      // without --json the steps go to stdout, the SIGINT line to stderr
      for (const stream of [child.stdout, child.stderr])
        stream.on("data", (d) => {
          err += d;
          if (err.includes(`stopped (docker stop ${DAPR_REDIS})`)) resolve(true);
        });
      child.once("exit", () => resolve(false));
    });
    expect(await stopped, err.slice(-2000)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(err).toContain("SIGINT: stopping what this tool started");
    expect(await machineState()).toEqual({
      ...before,
      daprRedis: before.daprRedis === "absent" ? "stopped" : before.daprRedis,
    });
  });

  it("DOCKER_HOST naming an engine that does not answer: one clear line, exit 1, nothing started", async () => {
    const env = { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" };
    const out = await $({ cwd: ROOT, env })`${zx} --redis docker`.nothrow().timeout("60s");
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain("✖ DOCKER_HOST=unix:///nonexistent/docker.sock, and no Docker engine answers there.");
    expect(out.stderr).not.toContain("1. Start");
  });
});

describe("the app images (tools/images.mjs)", () => {
  it("sdk-app's image: no dev dependency, source map or test file; runs as uid 1000 read-only to a first order", async () => {
    const images = ["node", `${ROOT}/node_modules/zx/build/cli.js`, `${ROOT}/tools/images.mjs`];
    const out = await $({ cwd: ROOT })`${images} --variant sdk --json`.nothrow().timeout("1500s");
    expect(out.exitCode, out.stderr.slice(-3000)).toBe(0);
    const [r] = JSON.parse(out.stdout).results;
    expect(r.contents).toMatchObject({ devDependencies: [], sourceMaps: [], testFiles: [] });
    expect(r.contents.packages).toBeGreaterThan(10);
    expect(r.startUpSeconds).toBeGreaterThan(0);
    expect(r.bytes).toBeGreaterThan(50e6);
  });

  it("an image that ends before its first order: its last lines in the message, the container removed", async () => {
    await ensureEngine();
    const base = await nodeBaseImage();
    const err = await startUpToFirstOrder(base, { timeoutMs: 30_000 }).catch((e) => e);
    expect(String(err?.message)).toMatch(new RegExp(`^${base.replace(/[.:/]/g, "\\$&")} did not save an order`));
    expect(String(err?.message)).toContain("Its last lines:");
    const left = await $`docker ps -a --filter name=dapr-resiliency-startup- --format {{.Names}}`.quiet();
    expect(left.stdout.trim()).toBe("");
  });
});

describe("faults against a Redis container of the test's own (docker stop / docker kill, started again 3 s later) [short test resiliency]", () => {
  for (const how of /** @type {const} */ (["stop", "kill"])) {
    test.concurrent.for(VARIANTS)(
      `docker ${how}: %s-app keeps its promise`,
      async (variant, { expect, onTestFinished }) => {
        const cleanups = cleanupList(onTestFinished);
        await ensureEngine();
        const name = `dapr-resiliency-fault-${how}-${variant}-${process.pid}`;
        const redis = await createRedisContainer({ name, port: await freePort() });
        cleanups.push(() => $`docker rm -f ${name}`.nothrow().quiet());
        await redis.start();
        const run = await runThroughFault({
          variant,
          redis: /** @type {any} */ (redis), // runThroughFault reads only its port and client
          cleanups,
          inject: async () => {
            await redis.stop(how === "kill" ? "SIGKILL" : "SIGTERM");
            await sleep(3_000);
            await redis.start();
          },
        });
        await expectPromiseKept(expect, { ...run, redis: /** @type {any} */ (redis) });
      },
    );
  }
});
