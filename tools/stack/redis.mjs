// @ts-check
// The Redis behind the state store. Either the `dapr_redis` container that
// `dapr init` makes (when a Docker engine runs it), or a redis-server this
// project starts on loopback with an append-only file, fsynced on every write,
// so a stopped or killed Redis comes back with every acknowledged order.
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { $, which } from "zx";
import { createClient } from "redis";
import { STATE_DIR } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { isPortOpen, waitForPort } from "./net.mjs";
import { step } from "../cli/console.mjs";

export const DEFAULT_REDIS_PORT = 6379;

/** @typedef {Awaited<ReturnType<typeof connect>>} RedisClient a connected node-redis client */

/**
 * What the tools hold of a Redis, whichever kind it is: LocalRedis and DockerRedis both are one.
 * @typedef {object} RedisHandle
 * @property {"local" | "docker" | "external"} kind external: a Redis on the port this project did not start
 * @property {number} port on 127.0.0.1
 * @property {string} host host:port, as the state store's redisHost
 * @property {() => string} describe for messages
 * @property {() => Promise<boolean>} isUp
 * @property {() => Promise<void>} start
 * @property {(signal?: NodeJS.Signals) => Promise<void>} stop
 * @property {() => Promise<RedisClient>} client a new connected client; quit it (withRedisClient does)
 */

async function dockerRedisExists() {
  if (!(await which("docker", { nothrow: true }))) return false;
  const info = await $`docker info --format {{.ServerVersion}}`.nothrow().quiet().timeout("5s");
  if (info.exitCode !== 0) return false; // the client is there, no engine
  const inspect = await $`docker inspect dapr_redis --format {{.State.Status}}`.nothrow().quiet().timeout("5s");
  return inspect.exitCode === 0;
}

/** Installs Debian's redis-server without letting the package start its own Redis on 6379. */
async function installRedisServer() {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !(await which("apt-get", { nothrow: true }))) {
    throw new ToolError(
      "redis-server is not installed.",
      "Install it (Debian/Ubuntu: sudo apt-get install redis-server), or run Redis in Docker as `dapr init` does.",
    );
  }
  step("installing redis-server with apt-get");
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !fs.existsSync(policy);
  if (ownPolicy)
    fs.writeFileSync(policy, "#!/bin/sh\n# written by dapr-resiliency setup for one apt-get run\nexit 101\n", {
      mode: 0o755,
    });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    let r = await $({ env })`apt-get install -y -q redis-server`.nothrow().quiet();
    if (r.exitCode !== 0) {
      await $({ env })`apt-get update -q`.nothrow().quiet();
      r = await $({ env })`apt-get install -y -q redis-server`.nothrow().quiet();
    }
    if (r.exitCode !== 0)
      throw new ToolError(
        `apt-get install redis-server failed:\n${r.stderr.trim().split("\n").slice(-5).join("\n")}`,
        "Install redis-server yourself, then run this again.",
      );
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
}

/**
 * A redis-server the project runs: port, data dir, optional password.
 * @implements {RedisHandle}
 */
export class LocalRedis {
  /** @param {{ port?: number, dir?: string, password?: string }} [options] */
  constructor({ port = DEFAULT_REDIS_PORT, dir = path.join(STATE_DIR, "redis"), password } = {}) {
    /** @type {RedisHandle["kind"]} */
    this.kind = "local";
    this.port = port;
    this.dir = dir;
    this.password = password;
    this.pidFile = path.join(dir, "redis.pid");
    this.logFile = path.join(dir, "redis.log");
  }
  get host() {
    return `localhost:${this.port}`;
  }
  describe() {
    return `redis-server on 127.0.0.1:${this.port} (data in ${this.dir}${this.password ? "; password required" : ""})`;
  }
  /** @returns {number | undefined} the running redis-server's pid, from its pid file */
  pid() {
    try {
      const pid = Number(fs.readFileSync(this.pidFile, "utf8").trim());
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }
  isUp() {
    return isPortOpen(this.port);
  }
  /** True when the Redis on this port is the one this object manages. */
  async isOurs() {
    return this.pid() !== undefined && (await this.isUp());
  }
  async start() {
    if (await this.isOurs()) return;
    if (await this.isUp()) {
      throw new ToolError(
        `Port ${this.port} is taken by a Redis (or something else) this project did not start.`,
        `Stop it, or use it as is with --redis docker / point resources/statestore.yaml at another port. Find it with: ss -ltnp 'sport = :${this.port}'`,
      );
    }
    if (!(await which("redis-server", { nothrow: true }))) await installRedisServer();
    fs.mkdirSync(this.dir, { recursive: true });
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1 -::1",
      "--protected-mode",
      "yes",
      "--dir",
      this.dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
      "--daemonize",
      "yes",
      "--pidfile",
      this.pidFile,
      "--logfile",
      this.logFile,
    ];
    if (this.password) args.push("--requirepass", this.password);
    const r = await $`redis-server ${args}`.nothrow().quiet();
    if (r.exitCode !== 0 || !(await waitForPort(this.port, { timeoutMs: 10_000 }))) {
      throw new ToolError(`redis-server did not start on port ${this.port}.`, `See its log: ${this.logFile}`);
    }
    // It takes connections before its append-only file is loaded and answers LOADING until then.
    await withRedisClient(this, async (client) => {
      for (const deadline = Date.now() + 30_000; ; await sleep(50)) {
        try {
          await client.ping();
          return;
        } catch (err) {
          if (!/LOADING/.test(String(err)) || Date.now() > deadline) throw err;
        }
      }
    });
  }
  /**
   * Stops Redis; SIGTERM lets it finish the append-only file. signal=SIGKILL kills it hard.
   * @param {NodeJS.Signals} [signal]
   */
  async stop(signal = "SIGTERM") {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, signal);
    for (let i = 0; i < 100 && this.pid() !== undefined; i++) await sleep(100);
    if (signal === "SIGKILL") fs.rmSync(this.pidFile, { force: true });
    await waitForPort(this.port, { open: false, timeoutMs: 5_000 });
  }
  /** SIGSTOP/SIGCONT: Redis hangs with its sockets open. */
  pause() {
    process.kill(this.#runningPid(), "SIGSTOP");
  }
  resume() {
    process.kill(this.#runningPid(), "SIGCONT");
  }
  #runningPid() {
    const pid = this.pid();
    if (pid === undefined) throw new ToolError(`${this.describe()} is not running.`);
    return pid;
  }
  client() {
    return connect(this.port, this.password);
  }
}

/**
 * A client that fails at once instead of reconnecting: the tools want to know that Redis is down.
 * @param {number} port
 * @param {string} [password]
 */
async function connect(port, password) {
  const c = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false }, password });
  c.on("error", () => undefined);
  await c.connect();
  return c;
}

/**
 * Opens a client to `redis`, runs `fn` with it and always quits it afterwards:
 * the one way the tools and tests read Redis.
 * @template T
 * @param {Pick<RedisHandle, "client">} redis
 * @param {(client: RedisClient) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withRedisClient(redis, fn) {
  const client = await redis.client();
  try {
    return await fn(client);
  } finally {
    await client.quit().catch(() => undefined);
  }
}

/**
 * The `dapr_redis` container of a `dapr init` machine.
 * @implements {RedisHandle}
 */
class DockerRedis {
  constructor() {
    /** @type {RedisHandle["kind"]} */
    this.kind = "docker";
    this.port = DEFAULT_REDIS_PORT;
    this.host = `localhost:${this.port}`;
  }
  describe() {
    return "Docker container dapr_redis";
  }
  isUp() {
    return isPortOpen(this.port);
  }
  async start() {
    await $`docker start dapr_redis`.quiet();
    await waitForPort(this.port, { timeoutMs: 15_000 });
  }
  async stop() {
    await $`docker stop dapr_redis`.quiet();
    await waitForPort(this.port, { open: false, timeoutMs: 15_000 });
  }
  client() {
    return connect(this.port);
  }
}

/** How a tool finds the shared Redis on 6379: the --redis flag of setup, run and the walkthrough. */
export const REDIS_MODES = /** @type {const} */ (["auto", "docker", "local"]);
export const REDIS_FLAG = /** @type {const} */ ({
  type: "string",
  choices: REDIS_MODES,
  default: "auto",
  help: "auto: the dapr_redis container if Docker runs one, else the project's redis-server; docker or local to choose",
});

/**
 * Picks the Redis this machine has (mode auto|docker|local), starts it when it
 * is down, and returns a handle that can stop and start it.
 * @param {{ mode?: string, needControl?: boolean, password?: string }} [options]
 *   mode auto|docker|local; needControl: refuse a Redis this project cannot stop and start
 * @returns {Promise<RedisHandle>}
 */
export async function ensureRedis({
  mode = "auto",
  needControl = false,
  password = process.env.REDIS_PASSWORD || undefined,
} = {}) {
  if (!(/** @type {readonly string[]} */ (REDIS_MODES).includes(mode))) {
    throw new ToolError(`Unknown --redis "${mode}".`, "Use --redis auto, docker or local.", 2);
  }
  /** @type {LocalRedis | DockerRedis} */
  let redis;
  if (mode === "docker" || (mode === "auto" && (await dockerRedisExists()))) {
    if (mode === "docker" && !(await dockerRedisExists())) {
      throw new ToolError(
        "--redis docker: no Docker engine with a dapr_redis container here.",
        "Run `dapr init` with Docker running, or use --redis local.",
      );
    }
    redis = new DockerRedis();
  } else {
    redis = new LocalRedis({ password }); // REDIS_PASSWORD: a Redis this project starts asks for it
  }
  const wasUp = await redis.isUp();
  if (wasUp && redis instanceof LocalRedis && !(await redis.isOurs())) {
    if (needControl) await redis.start(); // explains that the port is someone else's
    step(`using the Redis already listening on 127.0.0.1:${redis.port} (not started by this project)`);
    redis.kind = "external";
    return redis;
  }
  if (!wasUp) await redis.start();
  if (!wasUp) step(`started ${redis.describe()}`);
  return redis;
}
