// @ts-check
// The processes of the steady-state runs: one daprd (beside a bare, idle Node
// process: the memory baseline) against the run's own Redis, and one
// long-lived bench driver per row, each measured around every command it runs.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { spawn } from "node:child_process";
import { ROOT, DAPR_CONFIG } from "../../stack/paths.mjs";
import { ToolError } from "../../cli/errors.mjs";
import { onCleanup } from "../../cli/cleanup.mjs";
import { endProcess, startSidecar } from "../../stack/sidecar.mjs";
import { writeRunResources } from "../../stack/resources.mjs";
import { startApp } from "../../stack/isolated-stack.mjs";
import { cpuSeconds, machineBusySeconds, mainThreadCpuSeconds, rssMB, runWaitSeconds } from "./procs.mjs";
import { round3 } from "../../bench/lib/stats.mjs";

const DRIVER = path.join(ROOT, "tools/bench/lib/driver.mjs");
export const IDLE_NODE = ["-e", "setInterval(() => {}, 1 << 30)"];

/** @typedef {import("./procs.mjs").Pinning} Pinning */
/** @typedef {import("../../bench/lib/driver.mjs").Ready} Ready */
/** @typedef {{client: number, daprd: number, redis: number}} PerProcess */
/** @typedef {{wallSeconds: number, cpuSeconds: PerProcess, mainThreadCpuSeconds: number, waitSeconds: PerProcess, othersCores: number, clientRssMB: number}} Cost */
/** @typedef {import("../../stack/sidecar.mjs").Sidecar} Sidecar */
/** @typedef {{ports: {http: number, grpc: number}, daprdPid: number, barePid: number, stop: () => Promise<void>, daprdArgs: string[]}} Daprd */

/**
 * daprd beside an idle `node -e` (the bare-Node memory baseline), with optional
 * statestore metadata, daprd environment (GOGC) and a configuration file.
 * @param {{redis: {port: number}, pin: Pinning, appId: string, resources?: {metadata?: Record<string, string>, replace?: Record<string, string>}, daprdEnv?: Record<string,string>, config?: (doc: any) => void}} o
 * @returns {Promise<Daprd>}
 */
export async function startDaprd({ redis, pin, appId, resources = {}, daprdEnv = {}, config }) {
  const dir = writeRunResources({
    ...resources,
    metadata: { redisHost: `localhost:${redis.port}`, ...(resources.metadata ?? {}) },
  });
  let configFile = DAPR_CONFIG;
  if (config) {
    const { parse, stringify } = await import("yaml");
    const doc = parse(fs.readFileSync(DAPR_CONFIG, "utf8"));
    config(doc);
    configFile = path.join(dir, "..", `${path.basename(dir)}-config.yaml`);
    fs.writeFileSync(configFile, stringify(doc));
  }
  const removeFiles = () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (configFile !== DAPR_CONFIG) fs.rmSync(configFile, { force: true });
  };
  const removeCleanup = onCleanup(removeFiles); // registered first, so it runs after daprd has stopped
  try {
    const sidecar = /** @type {Sidecar} */ (
      /** @type {unknown} */ (
        await startSidecar(
          /** @type {any} */ ({
            command: pin.wrap([process.execPath, ...IDLE_NODE]),
            appId,
            resourcesDir: dir,
            configFile,
            daprdEnv,
            logLevel: "warn",
          }),
        )
      )
    );
    return {
      ports: sidecar.ports,
      daprdPid: /** @type {number} */ (sidecar.daprd.pid),
      barePid: /** @type {number} */ (sidecar.app?.pid),
      daprdArgs: sidecar.daprdArgs,
      async stop() {
        await sidecar.stop();
        removeCleanup();
        removeFiles();
      },
    };
  } catch (err) {
    removeCleanup();
    removeFiles();
    throw err;
  }
}

/** A bench driver process; `run` sends one command and measures every process around it. */
export class Driver {
  /**
   * @param {{store: string, pin: Pinning, daprd?: Daprd, redis: {port: number, pid: () => number | undefined}, keyPrefix?: string}} o
   */
  constructor({ store, pin, daprd, redis, keyPrefix = "bench" }) {
    this.store = store;
    this.daprd = daprd;
    this.redis = redis;
    const cmd = pin.wrap([
      process.execPath,
      DRIVER,
      "--store",
      store,
      "--redis-port",
      String(redis.port),
      "--key-prefix",
      keyPrefix,
    ]);
    /** @type {import("node:child_process").ChildProcessByStdio<import("node:stream").Writable, import("node:stream").Readable, import("node:stream").Readable>} */
    this.child = spawn(/** @type {string} */ (cmd[0]), cmd.slice(1), {
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        DAPR_HOST: "127.0.0.1",
        DAPR_HTTP_PORT: String(daprd?.ports.http ?? 0),
        DAPR_GRPC_PORT: String(daprd?.ports.grpc ?? 0),
      },
    });
    this.removeCleanup = onCleanup(() => endProcess(this.child));
    this.child.stdin.on("error", () => undefined); // EPIPE when it is gone already (Ctrl-C): its exit reports that
    /** @type {string[]} */
    this.stderr = [];
    /** @type {((line: string) => void)[]} */
    this.waiting = [];
    readline.createInterface({ input: this.child.stdout }).on("line", (l) => {
      if (/^(READY|RESULT) /.test(l)) this.waiting.shift()?.(l);
    });
    readline.createInterface({ input: this.child.stderr }).on("line", (l) => {
      this.stderr.push(l);
      if (this.stderr.length > 20) this.stderr.shift();
    });
    /** @type {Promise<number | string>} */
    this.exited = new Promise((r) => this.child.once("exit", (code, signal) => r(code ?? String(signal))));
    /** @type {Promise<Ready>} */
    this.ready = this.next(60_000).then((l) => JSON.parse(l.slice(6)));
  }

  get pid() {
    return /** @type {number} */ (this.child.pid);
  }

  /** The next READY/RESULT line, or a ToolError with the driver's last words. @param {number} timeoutMs */
  next(timeoutMs) {
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    return Promise.race([
      new Promise((resolve) => this.waiting.push(resolve)),
      this.exited.then((code) => {
        throw new ToolError(`The ${this.store} bench driver exited (${code}):\n${this.stderr.slice(-6).join("\n")}`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ToolError(
                `The ${this.store} bench driver did not answer within ${timeoutMs / 1000} s.`,
                "Look for something hogging the CPU (top), or run --quick.",
              ),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** CPU seconds so far of the driver, daprd and Redis. @returns {PerProcess} */
  cpu() {
    return {
      client: cpuSeconds(this.pid),
      daprd: this.daprd ? cpuSeconds(this.daprd.daprdPid) : NaN,
      redis: cpuSeconds(this.redis.pid()),
    };
  }

  /** Seconds so far that the driver's, daprd's and Redis's threads waited for a CPU. @returns {PerProcess} */
  wait() {
    return {
      client: runWaitSeconds(this.pid),
      daprd: this.daprd ? runWaitSeconds(this.daprd.daprdPid) : NaN,
      redis: runWaitSeconds(this.redis.pid()),
    };
  }

  /**
   * Runs one command; returns its result with the wall time, each process's CPU seconds and the driver's RSS after it.
   * @param {object} cmd
   * @param {number} [timeoutMs]
   * @returns {Promise<{result: any, cost: Cost}>}
   */
  async run(cmd, timeoutMs = 120_000) {
    const before = this.cpu();
    const mainBefore = mainThreadCpuSeconds(this.pid);
    const waitBefore = this.wait();
    const busyBefore = machineBusySeconds();
    const t = performance.now();
    const line = this.next(timeoutMs);
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    const result = JSON.parse(/** @type {string} */ (await line).slice(7));
    const wallSeconds = (performance.now() - t) / 1000;
    const after = this.cpu();
    const mainAfter = mainThreadCpuSeconds(this.pid);
    const waitAfter = this.wait();
    const busy = machineBusySeconds() - busyBefore;
    const cpu = diff(before, after);
    return {
      result,
      cost: {
        wallSeconds: round3(wallSeconds),
        cpuSeconds: cpu,
        mainThreadCpuSeconds: round3(mainAfter - mainBefore),
        // Cores the rest of the machine kept busy meanwhile (this tool's own share included, a few %).
        othersCores: round3(Math.max(0, busy - cpu.client - (cpu.daprd || 0) - (cpu.redis || 0)) / wallSeconds),
        waitSeconds: diff(waitBefore, waitAfter),
        clientRssMB: rssMB(this.pid),
      },
    };
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null)
      this.child.stdin.end(`${JSON.stringify({ op: "quit" })}\n`);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000).unref())]);
    this.removeCleanup();
    await endProcess(this.child);
  }
}

/** @param {PerProcess} a @param {PerProcess} b @returns {PerProcess} */
const diff = (a, b) => ({
  client: round3(b.client - a.client),
  daprd: round3(b.daprd - a.daprd),
  redis: round3(b.redis - a.redis),
});

/**
 * @typedef {import("../../stack/recorder.mjs").RecordedEvent} AppEvent
 * @typedef {import("../../stack/isolated-stack.mjs").StackApp} App
 */
/** isolated-stack's startApp, under the name compare's modules import. */
export const startTypedApp = startApp;
