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
import { aptInstall } from "./apt.mjs";

export const DEFAULT_REDIS_PORT = 6379;

/** @typedef {Awaited<ReturnType<typeof connect>>} RedisClient a connected node-redis client */

/**
 * What the tools hold of a Redis, whichever kind it is: LocalRedis and ContainerRedis (redis-container.mjs) both are one.
 * @typedef {object} RedisHandle
 * @property {"local" | "docker" | "external"} kind external: a Redis on the port this project did not start
 * @property {number} port on 127.0.0.1
 * @property {string} [name] the container's, for kind docker (dapr_redis)
 * @property {string} host host:port, as the state store's redisHost
 * @property {() => string} describe for messages
 * @property {() => Promise<boolean>} isUp
 * @property {() => Promise<void>} start
 * @property {(signal?: NodeJS.Signals) => Promise<void>} stop
 * @property {() => Promise<RedisClient>} client a new connected client; quit it (withRedisClient does)
 */

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
    if (!(await which("redis-server", { nothrow: true })))
      await aptInstall(
        ["redis-server"],
        "sudo apt-get install redis-server, or run Redis in Docker as `dapr init` does",
      );
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
    // A frozen Redis (pause(), a fault) acts on SIGTERM only once it runs again.
    if (signal !== "SIGKILL") process.kill(pid, "SIGCONT");
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
export async function connect(port, password) {
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
  // The container module loads only in container mode (and it imports this one).
  const containers = () => import("./redis-container.mjs");
  if (mode === "docker") return (await containers()).ensureDaprRedis();
  if (mode === "auto" && (await (await containers()).userHasDaprRedis())) return (await containers()).ensureDaprRedis();
  const redis = new LocalRedis({ password }); // REDIS_PASSWORD: a Redis this project starts asks for it
  const wasUp = await redis.isUp();
  if (wasUp && !(await redis.isOurs())) {
    if (needControl) await redis.start(); // explains that the port is someone else's
    step(`using the Redis already listening on 127.0.0.1:${redis.port} (not started by this project)`);
    redis.kind = "external";
    return redis;
  }
  if (!wasUp) await redis.start();
  if (!wasUp) step(`started ${redis.describe()}`);
  return redis;
}
