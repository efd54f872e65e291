// @ts-check
// A Redis primary, its replicas and three Sentinels on loopback, each a
// redis-server child of this process (Sentinel is `redis-server --sentinel`
// with its own config file), with configs and data in a per-run folder under
// STATE_DIR that goes away with the cluster. Used by the failover demo and
// the soak's --redis sentinel. Nothing here touches 6379 or
// the system's redis-sentinel service.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { which } from "zx";
import { createClient } from "redis";
import { STATE_DIR } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { freePort, waitForPort } from "./net.mjs";
import { onCleanup } from "../cli/cleanup.mjs";
import {
  MASTER_NAME,
  SENTINEL_TIMING,
  commandCalls,
  parseInfo,
  parseMasterAddr,
  parseSentinelLine,
  parseSentinelTable,
  sentinelSeesHealthy,
  renderRedisConf,
  renderSentinelConf,
  replicasOf,
} from "./sentinel-config.mjs";

/** @typedef {import("./sentinel-config.mjs").Durability} Durability */
/** @typedef {import("./sentinel-config.mjs").SentinelEvent} SentinelEvent */

/**
 * @typedef {object} Proc
 * @property {number} port
 * @property {string} dir
 * @property {import("node:child_process").ChildProcess | undefined} child
 * @property {Promise<unknown> | undefined} exited
 */

const HOST = "127.0.0.1";

/**
 * @param {string[]} args
 * @param {(line: string) => void} [onLine]
 * @returns {{ child: import("node:child_process").ChildProcess, exited: Promise<unknown> }}
 */
function spawnRedis(args, onLine) {
  const child = spawn("redis-server", args, { detached: true, stdio: ["ignore", onLine ? "pipe" : "ignore", "pipe"] });
  if (onLine && child.stdout) readline.createInterface({ input: child.stdout }).on("line", onLine);
  const exited = new Promise((r) => child.once("exit", r));
  return { child, exited };
}

/** @param {Proc} p @param {NodeJS.Signals} signal */
async function kill(p, signal) {
  const child = p.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(/** @type {number} */ (child.pid), signal);
  } catch {
    /* already gone */
  }
  const gone = await Promise.race([p.exited?.then(() => true), sleep(5_000).then(() => false)]);
  if (!gone) {
    process.kill(/** @type {number} */ (child.pid), "SIGKILL");
    await p.exited;
  }
}

export class SentinelCluster {
  /**
   * @param {object} o
   * @param {number} [o.replicas] how many replicas beside the primary
   * @param {Durability} [o.durability]
   * @param {number} [o.downAfterMs] Sentinel's down-after-milliseconds
   * @param {(e: SentinelEvent & { sentinel: number, line: string }) => void} [o.onSentinelEvent]
   * @param {boolean} [o.partitionable] links between Redis nodes and Sentinels from 127.0.0.2 (stack/partition.mjs)
   */
  constructor({
    replicas = 1,
    durability = "async",
    downAfterMs = SENTINEL_TIMING.downAfterMs,
    onSentinelEvent,
    partitionable = false,
  } = {}) {
    this.partitionable = partitionable;
    this.downAfterMs = downAfterMs;
    this.replicaCount = replicas;
    this.durability = durability;
    this.onSentinelEvent = onSentinelEvent;
    this.dir = path.join(STATE_DIR, "failover", `run-${process.pid}-${Date.now()}`);
    /** @type {Proc[]} */
    this.nodes = [];
    /** @type {Proc[]} */
    this.sentinels = [];
    /** @type {SentinelEvent[]} */
    this.events = [];
    this.removeCleanup = () => {};
    /** @type {number | undefined} the primary killPrimary killed, until restoreOldPrimary brings it back */
    this.killedPrimary = undefined;
    this.stopping = false;
  }

  /** Starts the nodes, then the Sentinels, and waits until the Sentinels could fail over. */
  async start() {
    if (!(await which("redis-server", { nothrow: true })))
      throw new ToolError(
        "redis-server is not installed.",
        "Run `npm run setup` (installs Debian's redis-server), or: sudo apt-get install redis-server",
      );
    this.removeCleanup = onCleanup(() => this.stop());
    fs.mkdirSync(this.dir, { recursive: true });
    for (let i = 0; i <= this.replicaCount; i++) {
      const port = await freePort();
      /** @type {Proc} */
      const node = { port, dir: path.join(this.dir, `node-${port}`), child: undefined, exited: undefined };
      this.nodes.push(node);
      await this.startNode(node, i === 0 ? undefined : this.nodes[0]?.port);
    }
    const primary = { host: HOST, port: this.primaryPort };
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = path.join(this.dir, `sentinel-${port}`);
      fs.mkdirSync(dir, { recursive: true });
      const conf = path.join(dir, "sentinel.conf");
      fs.writeFileSync(
        conf,
        renderSentinelConf({ port, dir, primary, downAfterMs: this.downAfterMs, partitionable: this.partitionable }),
      );
      const { child, exited } = spawnRedis([conf, "--sentinel"], (line) => {
        const e = parseSentinelLine(line);
        if (!e) return;
        this.events.push(e);
        this.onSentinelEvent?.({ ...e, sentinel: port, line });
      });
      this.sentinels.push({ port, dir, child, exited });
      if (!(await waitForPort(port, { timeoutMs: 10_000 })))
        throw new ToolError(`Sentinel did not start on port ${port}.`, `Its config: ${conf}`);
    }
    await this.waitReplicating(
      this.primaryPort,
      this.nodes.slice(1).map((n) => n.port),
    );
    await this.waitQuorum();
  }

  get primaryPort() {
    return /** @type {Proc} */ (this.nodes[0]).port;
  }

  /**
   * @param {Proc} node
   * @param {number} [replicaOfPort]
   */
  async startNode(node, replicaOfPort) {
    fs.mkdirSync(node.dir, { recursive: true });
    const conf = path.join(node.dir, "redis.conf");
    const replicaOf = replicaOfPort ? { host: HOST, port: replicaOfPort } : undefined;
    fs.writeFileSync(
      conf,
      renderRedisConf({
        port: node.port,
        dir: node.dir,
        replicaOf,
        durability: this.durability,
        partitionable: this.partitionable,
      }),
    );
    Object.assign(node, spawnRedis([conf]));
    if (!(await waitForPort(node.port, { timeoutMs: 10_000 })))
      throw new ToolError(`redis-server did not start on port ${node.port}.`, `See ${node.dir}/redis.log`);
  }

  /** @param {number} port */
  node(port) {
    const n = this.nodes.find((x) => x.port === port);
    if (!n) throw new Error(`no node on port ${port}`);
    return n;
  }

  /** @param {number} port */
  isRunning(port) {
    const c = this.node(port).child;
    return Boolean(c && c.exitCode === null && c.signalCode === null);
  }

  /** SIGKILL: the primary dies with no chance to flush or say goodbye. */
  async killNode(/** @type {number} */ port) {
    await kill(this.node(port), "SIGKILL");
  }

  /** Starts a killed node again, as a replica of `of` (what an operator or orchestrator does on restart). */
  async restartAsReplica(/** @type {number} */ port, /** @type {number} */ of) {
    await this.startNode(this.node(port), of);
  }

  /** The `failover` fault (faults.mjs): the primary the Sentinels name now, SIGKILLed. */
  async killPrimary() {
    this.killedPrimary = (await this.askedPrimary()) ?? this.primaryPort;
    await this.killNode(this.killedPrimary);
  }

  /** Clears it: once the Sentinels name a new primary, the killed one rejoins as its replica. */
  async restoreOldPrimary(timeoutMs = 60_000) {
    const old = this.killedPrimary;
    if (old === undefined) return;
    let next;
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
      if (this.stopping) return; // torn down (a signal): nothing to bring back
      next = await this.askedPrimary();
      if (next !== undefined && next !== old) break;
    }
    if (next === undefined || next === old)
      throw new ToolError(`The Sentinels named no new primary within ${timeoutMs / 1000} s of killing ${old}.`);
    await this.restartAsReplica(old, next);
    await this.waitReplicating(next, [old]);
    this.killedPrimary = undefined;
  }

  /** A client to the primary the Sentinels name now (an audit after a failover). */
  async primaryClient() {
    return this.client((await this.askedPrimary()) ?? this.primaryPort);
  }

  /** @param {number} port */
  async client(port) {
    const c = createClient({ socket: { host: HOST, port, reconnectStrategy: false, connectTimeout: 2_000 } });
    c.on("error", () => undefined);
    await c.connect();
    return c;
  }

  /**
   * @template T
   * @param {number} port
   * @param {(c: Awaited<ReturnType<SentinelCluster["client"]>>) => Promise<T>} fn
   * @returns {Promise<T>}
   */
  async with(port, fn) {
    const c = await this.client(port);
    try {
      return await fn(c);
    } finally {
      await c.quit().catch(() => undefined);
    }
  }

  /** @param {number} port */
  async info(port) {
    return parseInfo(await this.with(port, (c) => c.sendCommand(["INFO", "replication"])));
  }

  /** How many WAITs a node has answered since it started (daprd sends one after each strong save). @param {number} port */
  async waitCalls(port) {
    return commandCalls(await this.with(port, (c) => c.sendCommand(["INFO", "commandstats"])), "wait");
  }

  /**
   * daprd's writes a node has taken (EVAL: its Redis store saves with a script) and refused (NOREPLICAS).
   * (The order loop's reads are HGETALL, this tool's reads HGET: neither counts.)
   * @param {number} port
   */
  async writeCalls(port) {
    const text = String(await this.with(port, (c) => c.sendCommand(["INFO", "commandstats"])));
    // A script's write refused inside it counts as a failed call; one refused before it runs, as rejected.
    const failed = commandCalls(text, "eval", "failed_calls");
    return {
      taken: commandCalls(text, "eval") - failed,
      refused: commandCalls(text, "eval", "rejected_calls") + failed,
    };
  }

  /**
   * Waits until the Sentinels name a primary other than `old`; returns it.
   * @param {number} old
   */
  async waitNewPrimary(old, timeoutMs = 60_000) {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
      const next = await this.askedPrimary();
      if (next !== undefined && next !== old) return next;
    }
    throw new Error(`the Sentinels named no new primary within ${timeoutMs / 1000} s (still ${old})`);
  }

  /** The primary the Sentinels name now (the first that answers), or undefined. */
  async askedPrimary() {
    for (const s of this.sentinels) {
      try {
        const reply = await this.with(s.port, (c) =>
          c.sendCommand(["SENTINEL", "get-master-addr-by-name", MASTER_NAME]),
        );
        const addr = parseMasterAddr(reply);
        if (addr) return addr.port;
      } catch {
        /* try the next Sentinel */
      }
    }
    return undefined;
  }

  /** Waits until the Sentinels know each other well enough to authorise a failover (SENTINEL CKQUORUM). */
  async waitQuorum(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      const answers = await Promise.all(
        this.sentinels.map((s) =>
          this.with(s.port, (c) => c.sendCommand(["SENTINEL", "CKQUORUM", MASTER_NAME])).then(
            (r) => String(r),
            (/** @type {Error} */ err) => err.message,
          ),
        ),
      );
      // "OK 3 usable Sentinels": every Sentinel has heard the other two (hello messages every 2 s).
      if (answers.every((a) => /^OK 3 usable/.test(a))) return;
      last = answers.join("; ");
      await sleep(250);
    }
    throw new ToolError(`The Sentinels did not reach quorum within ${timeoutMs / 1000} s: ${last}`);
  }

  /**
   * Waits until `primary` has every one of `replicas` online, then proves it: a probe write that
   * WAIT confirms on all of them and that each replica then returns.
   * @param {number} primary
   * @param {number[]} replicas
   * @returns {Promise<{ ms: number }>}
   */
  async waitReplicating(primary, replicas, timeoutMs = 30_000) {
    const t0 = Date.now();
    const deadline = t0 + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      try {
        const info = await this.info(primary);
        const online = replicasOf(info).filter((r) => r.state === "online" && replicas.includes(r.port));
        if (info.role === "master" && online.length === replicas.length) {
          const key = `failover-probe-${Date.now()}`;
          const acked = await this.with(primary, async (c) => {
            await c.set(key, "1", { EX: 60 });
            return Number(await c.sendCommand(["WAIT", String(replicas.length), "2000"]));
          });
          const seen = await Promise.all(replicas.map((r) => this.with(r, (c) => c.get(key))));
          if (acked === replicas.length && seen.every((v) => v === "1")) return { ms: Date.now() - t0 };
          last = `probe acked by ${acked}, read back by ${seen.filter((v) => v === "1").length}`;
        } else last = `role ${info.role}, ${online.length}/${replicas.length} replicas online`;
      } catch (err) {
        last = /** @type {Error} */ (err).message;
      }
      await sleep(100);
    }
    throw new ToolError(
      `Port ${primary} is not replicating to ${replicas.join(", ")} after ${timeoutMs / 1000} s (${last}).`,
      `See the logs under ${this.dir}`,
    );
  }

  /**
   * Waits until every Sentinel names `primary` and sees each of `replicas` healthy, so the next failover
   * can pick any of them.
   * @param {number} primary
   * @param {number[]} replicas
   */
  async waitSentinelsAgree(primary, replicas, timeoutMs = 30_000) {
    const t0 = Date.now();
    let last = "";
    while (Date.now() - t0 < timeoutMs) {
      const views = await Promise.all(
        this.sentinels.map((s) =>
          this.with(s.port, async (c) => ({
            primary: parseMasterAddr(await c.sendCommand(["SENTINEL", "get-master-addr-by-name", MASTER_NAME]))?.port,
            replicas: parseSentinelTable(await c.sendCommand(["SENTINEL", "replicas", MASTER_NAME])),
          })).catch(() => undefined),
        ),
      );
      const agree = views.every(
        (v) => v && v.primary === primary && replicas.every((r) => sentinelSeesHealthy(v.replicas, r)),
      );
      if (agree) return { ms: Date.now() - t0 };
      last = views
        .map((v) =>
          v ? `primary ${v.primary}, replicas ${v.replicas.map((r) => `${r.port} ${r.flags}`).join(" ")}` : "no answer",
        )
        .join("; ");
      await sleep(200);
    }
    throw new ToolError(
      `The Sentinels do not all see ${primary} with healthy replicas ${replicas.join(", ")}: ${last}`,
    );
  }

  /** Stops everything this cluster started and removes its folder. */
  async stop() {
    this.stopping = true;
    this.removeCleanup();
    await Promise.all([...this.sentinels, ...this.nodes].map((p) => kill(p, "SIGTERM")));
    if (!process.env.FAILOVER_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
