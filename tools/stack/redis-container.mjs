// @ts-check
// Redis in a container, driven with the seed's own commands (`docker stop
// dapr_redis`, `docker start dapr_redis`). `dapr init` makes dapr_redis from
// redis:6 with host port 6379 and no password; where no registry answers,
// this project makes the same container from an image built here out of
// Debian's redis-server (images.mjs).
import { setTimeout as sleep } from "node:timers/promises";
import { $ } from "zx";
import { ToolError } from "../cli/errors.mjs";
import { onCleanup } from "../cli/cleanup.mjs";
import { step } from "../cli/console.mjs";
import { DEFAULT_REDIS_PORT, LocalRedis, connect, withRedisClient } from "./redis.mjs";
import { isPortOpen, waitForPort } from "./net.mjs";
import { ensureEngine, userEngine } from "./container-engine.mjs";
import { localRedisImage } from "./images.mjs";

export const DAPR_REDIS = "dapr_redis";
/** The image `dapr init` (CLI 1.12) runs its Redis from. */
const DAPR_INIT_IMAGE = "redis:6";
/** What marks a container this project made (so a test can tell, and nothing else is removed). */
export const MADE_BY_LABEL = "dapr-resiliency.made-by";

/**
 * @typedef {import("./redis.mjs").RedisHandle} RedisHandle
 */

/**
 * A Redis container on 127.0.0.1:port: stopped and started as the seed does.
 * @implements {RedisHandle}
 */
export class ContainerRedis {
  /** @param {{ name?: string, port?: number }} [o] */
  constructor({ name = DAPR_REDIS, port = DEFAULT_REDIS_PORT } = {}) {
    /** @type {RedisHandle["kind"]} */
    this.kind = "docker";
    this.name = name;
    this.port = port;
  }
  get host() {
    return `localhost:${this.port}`;
  }
  describe() {
    return `container ${this.name} (127.0.0.1:${this.port})`;
  }
  isUp() {
    return isPortOpen(this.port);
  }
  /** `docker start <name>`, then waits until Redis answers PING (it loads its data first). */
  async start() {
    await docker(["start", this.name]);
    await this.#untilPing(true);
  }
  /**
   * `docker stop <name>` (SIGTERM, Redis saves), or with SIGKILL `docker kill <name>`.
   * @param {NodeJS.Signals} [signal]
   */
  async stop(signal = "SIGTERM") {
    await docker(signal === "SIGKILL" ? ["kill", this.name] : ["stop", this.name]);
    await waitForPort(this.port, { open: false, timeoutMs: 15_000 });
  }
  /** `docker pause`: Redis hangs with its port open. */
  pause() {
    return docker(["pause", this.name]);
  }
  resume() {
    return docker(["unpause", this.name]);
  }
  client() {
    return connect(this.port);
  }
  /** @returns {Promise<boolean>} whether the container is running */
  async running() {
    return (await inspect(this.name))?.State?.Running === true;
  }
  /** @param {boolean} up */
  async #untilPing(up) {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
      const ok = await withRedisClient(this, (c) => c.ping())
        .then(() => true)
        .catch(() => false);
      if (ok === up) return;
    }
    const logs = await docker(["logs", "--tail", "10", this.name], { nothrow: true });
    throw new ToolError(
      `${this.describe()} was started but Redis does not answer on 127.0.0.1:${this.port}:\n${logs.trim()}`,
      `See: docker logs ${this.name}`,
    );
  }
}

/**
 * Runs the docker CLI; a failure is a ToolError with docker's own words.
 * @param {string[]} args
 * @param {{ nothrow?: boolean, timeout?: import("zx").Duration }} [o]
 * @returns {Promise<string>} stdout (stdout and stderr with nothrow on failure)
 */
export async function docker(args, { nothrow = false, timeout = "120s" } = {}) {
  const r = await $`docker ${args}`.nothrow().quiet().timeout(timeout);
  if (r.exitCode === 0) return r.stdout;
  if (nothrow) return r.stdout + r.stderr;
  throw new ToolError(`docker ${args.join(" ")} failed:\n${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
}

/**
 * @typedef {object} Inspected what `docker inspect` says of a container, the fields used here
 * @property {{ Running?: boolean, Status?: string }} [State]
 * @property {{ Image?: string, Cmd?: string[] | null, Entrypoint?: string[] | string | null, Labels?: Record<string, string> | null }} [Config]
 * @property {{ NetworkMode?: string, PortBindings?: Record<string, { HostIp?: string, HostPort?: string }[] | null> | null }} [HostConfig]
 * @property {string} [ImageName]
 */

/** @param {string} name  @returns {Promise<Inspected | undefined>} undefined: no such container */
export async function inspect(name) {
  const r = await $`docker container inspect ${name}`.nothrow().quiet().timeout("30s");
  if (r.exitCode !== 0) return undefined;
  return JSON.parse(r.stdout)[0];
}

/**
 * Why a container cannot be the state store's Redis on `port`; undefined when it can.
 * @param {Inspected} c
 * @param {number} port
 */
export function unfitReason(c, port) {
  const command = [...[c.Config?.Entrypoint ?? []].flat(), ...(c.Config?.Cmd ?? [])].join(" ");
  const words = [c.Config?.Image, c.ImageName, command].join(" ");
  if (!/redis/i.test(words)) return `it does not run Redis (image ${c.Config?.Image}, command ${command || "none"})`;
  if (c.HostConfig?.NetworkMode === "host") {
    const m = /--port\s+(\d+)/.exec(words);
    return m && Number(m[1]) !== port ? `it runs on the host network with --port ${m[1]}, not ${port}` : undefined;
  }
  const bound = Object.entries(c.HostConfig?.PortBindings ?? {}).flatMap(([inside, hosts]) =>
    (hosts ?? []).map((h) => `${h.HostIp || "0.0.0.0"}:${h.HostPort} → ${inside}`),
  );
  const ours = (c.HostConfig?.PortBindings?.["6379/tcp"] ?? []).some((h) => Number(h.HostPort) === port);
  return ours ? undefined : `it publishes ${bound.length ? bound.join(", ") : "no port"}, not host port ${port}`;
}

/**
 * The image for a new dapr_redis: `dapr init`'s redis:6 when the engine has it or can pull it,
 * else one built here from Debian's redis-server.
 */
async function imageForDaprRedis() {
  if ((await $`docker image inspect ${DAPR_INIT_IMAGE}`.nothrow().quiet()).exitCode === 0) return DAPR_INIT_IMAGE;
  const pulled = await $`docker pull ${DAPR_INIT_IMAGE}`.nothrow().quiet().timeout("180s");
  if (pulled.exitCode === 0) return DAPR_INIT_IMAGE;
  step(`no registry answers (docker pull ${DAPR_INIT_IMAGE} failed): using a Redis image built here from Debian`);
  return localRedisImage();
}

/**
 * A new Redis container on 127.0.0.1:port, created (not started).
 * @param {{ name: string, port: number, image?: string }} o
 */
export async function createRedisContainer({ name, port, image }) {
  const from = image ?? (await localRedisImage());
  // As `dapr init` (docker run --name dapr_redis -p 6379:6379 redis:6), but on loopback only.
  // --stop-timeout 10 is Docker's default grace made explicit: podman 4.3's Docker API kills a
  // container at once on a plain `docker stop` without it (exit 137, no SIGTERM).
  const args = ["--name", name, "--label", `${MADE_BY_LABEL}=tools`, "--stop-timeout", "10"];
  await docker(["create", ...args, "-p", `127.0.0.1:${port}:6379`, from]);
  return new ContainerRedis({ name, port });
}

/** --redis auto's question: does the user's own Docker engine (not this project's podman) hold dapr_redis? */
export async function userHasDaprRedis() {
  return (await userEngine()) !== undefined && (await inspect(DAPR_REDIS)) !== undefined;
}

/**
 * `dapr_redis`, running on 127.0.0.1:6379, for --redis docker. On a `dapr init` machine it is
 * that one, checked first (not Redis, or another port: a clear error, nothing stopped); elsewhere
 * it is made here. Port 6379 is also the project's own redis-server's: while the container runs
 * that one is stopped. Both are put back as they were found on every way out (restore(), and a
 * cleanup for errors and signals).
 * @returns {Promise<ContainerRedis & { restore: () => Promise<void> }>}
 */
export async function ensureDaprRedis() {
  const engine = await ensureEngine();
  const port = DEFAULT_REDIS_PORT;
  const found = await inspect(DAPR_REDIS);
  if (found) {
    const why = unfitReason(found, port);
    if (why)
      throw new ToolError(
        `There is a container named ${DAPR_REDIS} (${engine.server} at ${engine.host}), but ${why}. Nothing was stopped.`,
        `The state store (resources/statestore.yaml) expects Redis on localhost:${port}, as \`dapr init\` makes it. Recreate it: docker rm -f ${DAPR_REDIS}, then run this again (this project makes one), or dapr uninstall && dapr init.`,
      );
  }
  const wasRunning = found?.State?.Running === true;
  const local = new LocalRedis();
  /** The project's redis-server was on 6379 and is stopped for the run. */
  let localStopped = false;
  if (!wasRunning && (await isPortOpen(port))) {
    if (!(await local.isOurs()))
      throw new ToolError(
        `Port ${port} is taken by a process this project did not start, so ${DAPR_REDIS} cannot publish it. Nothing was stopped.`,
        `Find it with: ss -ltnp 'sport = :${port}'`,
      );
  }
  const redis = found
    ? new ContainerRedis({ name: DAPR_REDIS, port })
    : await createRedisContainer({ name: DAPR_REDIS, port, image: await imageForDaprRedis() });
  if (!found) step(`created ${DAPR_REDIS} as \`dapr init\` does (127.0.0.1:${port}, no password)`);
  /** @type {Promise<void> | undefined} */
  let restoring;
  const restore = () => {
    removeCleanup();
    restoring ??= (async () => {
      if (!wasRunning && (await redis.running())) {
        await docker(["stop", DAPR_REDIS]);
        await waitForPort(port, { open: false, timeoutMs: 15_000 });
      }
      if (wasRunning && !(await redis.running())) await redis.start();
      if (localStopped) {
        await local.start();
        step(`started ${local.describe()} again`);
      }
    })();
    return restoring;
  };
  const removeCleanup = onCleanup(restore);
  if (!wasRunning) {
    if (await local.isOurs()) {
      await local.stop();
      localStopped = true;
      step(`stopped the project's redis-server for this run: ${DAPR_REDIS} takes 127.0.0.1:${port}`);
    }
    try {
      await redis.start();
    } catch (err) {
      await restore();
      throw err;
    }
    step(`started ${DAPR_REDIS} (docker start ${DAPR_REDIS}; ${engine.server})`);
  } else if (!(await withRedisClient(redis, (c) => c.ping()).catch(() => undefined)))
    throw new ToolError(
      `${DAPR_REDIS} is running, but no Redis answers PING on 127.0.0.1:${port}. Nothing was stopped.`,
      `See: docker logs ${DAPR_REDIS}`,
    );
  return Object.assign(redis, { restore });
}
