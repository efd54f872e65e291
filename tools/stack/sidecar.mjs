// @ts-check
// Runs an app beside its own daprd, the way `dapr run` does: daprd on free
// ports with the resources and resiliency policies, the app with
// DAPR_HTTP_PORT / DAPR_GRPC_PORT pointing at it. Unlike `dapr run`, every
// port daprd opens is bound to 127.0.0.1, and each line either process prints
// reaches the caller tagged with its source, already parsed.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { DAPR_BIN, DAPR_CONFIG, RESOURCES } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { freePort, isPortOpen } from "./net.mjs";
import { onCleanup, refuseIfEnding, ToolStopping } from "../cli/cleanup.mjs";
import { PLACEMENT_PORT, SCHEDULER_PORT } from "./control-plane.mjs";
import { parseDaprdLine, startFailure } from "./daprd-log.mjs";

/**
 * One line either process printed. daprd's lines carry the parsed logfmt fields
 * (level, msg, scope, fields) when they are daprd log lines.
 * @typedef {{ source: "daprd" | "app", stream?: "stdout" | "stderr", line: string }
 *   & Partial<import("./daprd-log.mjs").DaprdLine>} SidecarLine
 */

/** @typedef {{ http: number, grpc: number, internal: number, metrics: number }} DaprdPorts */

/**
 * A running app beside its daprd, as startSidecar returns it.
 * @typedef {object} Sidecar
 * @property {string} appId
 * @property {DaprdPorts} ports
 * @property {string[]} daprdArgs the flags daprd was started with (a test restarts daprd with them)
 * @property {import("node:child_process").ChildProcess} daprd
 * @property {import("node:child_process").ChildProcess} app
 * @property {Promise<number | NodeJS.Signals | null>} daprdExited daprd's exit code, or the signal that ended it
 * @property {Promise<{ code: number | null, signal?: NodeJS.Signals | null, error?: string }>} appExited
 * @property {number} startedAt ms epoch: daprd spawned
 * @property {number} readyAt ms epoch: daprd's state store ready
 * @property {number} appStartedAt ms epoch: app spawned
 * @property {() => Promise<void>} stop SIGTERM the app (as `dapr stop` does), then daprd
 * @property {() => Promise<string>} metrics daprd's Prometheus metrics, as text
 */

/** How long daprd may take to load its components. */
const READY_TIMEOUT_MS = 30_000;

/**
 * @param {import("node:stream").Readable} stream
 * @param {(line: string) => void} fn
 */
function lines(stream, fn) {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on("line", fn);
}

/**
 * Ends a child and its process group: SIGTERM, then SIGKILL after graceMs.
 * @param {import("node:child_process").ChildProcess | undefined} child
 */
export async function endProcess(child, graceMs = 5_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  /** @param {NodeJS.Signals} sig */
  const kill = (sig) => {
    try {
      process.kill(-(child.pid ?? 0), sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        /* gone */
      }
    }
  };
  kill("SIGTERM");
  if (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) return;
  kill("SIGKILL");
  await exited;
}

/** The fix when Redis refused the state store's password. @param {string[]} errors */
const redisRefused = (errors) =>
  errors.some((m) => /WRONGPASS|NOAUTH/.test(m))
    ? "Redis refused the state store's password: set REDIS_PASSWORD to the password Redis was started with (its requirepass)."
    : undefined;

/**
 * The error for a start daprd itself said had failed, quoting what it said.
 * @param {import("node:child_process").ChildProcess} daprd ended
 * @param {string[]} errors its error lines
 * @param {{ what: "component" | "resiliency", msg: string }[]} failures
 * @param {string} resourcesDir
 */
function startFailed(daprd, errors, failures, resourcesDir) {
  const resiliency = failures.filter((f) => f.what === "resiliency").map((f) => f.msg);
  if (resiliency.length)
    return new ToolError(
      `daprd could not read a resiliency policy in ${resourcesDir} and would have run without it (no retries, no breaker):\n${resiliency.join("\n")}`,
      "Fix the resiliency file as daprd's line says; nothing was started.",
      2,
    );
  const exited = daprd.exitCode !== null && daprd.signalCode === null;
  // what daprd said failed first; its shutdown adds errors of its own (the scheduler's connection…)
  const shown = [...new Set([...failures.map((f) => f.msg), ...errors])].slice(0, 3);
  return new ToolError(
    `${exited ? `daprd exited (code ${daprd.exitCode}) before it was ready` : "daprd could not initialise a component"}:\n${shown.join("\n")}`,
    redisRefused(errors) ?? "Is Redis running (npm run setup)? Are the resources valid?",
  );
}

/**
 * Starts daprd, waits until its state store is ready, then starts the app.
 * @param {object} o
 * @param {string[]} o.command the app command, e.g. ["node", "apps/sdk-app/dist/main.js"]
 * @param {string} [o.appId]
 * @param {string} [o.resourcesDir] components and resiliency policies (default: resources/)
 * @param {Record<string, string>} [o.env] variables for the app
 * @param {Record<string, string>} [o.daprdEnv] variables for daprd only (e.g. REDIS_PASSWORD for an env secret store), not the app
 * @param {string} [o.apiToken] DAPR_API_TOKEN for both: daprd requires it, the app sends it
 * @param {string} [o.logLevel] daprd's --log-level
 * @param {(e: SidecarLine) => void} [o.onLine]
 * @param {Partial<DaprdPorts>} [o.ports] fixed ports instead of free ones (a test takes one that is in use)
 * @returns {Promise<Sidecar>}
 */
export async function startSidecar({
  command,
  appId = "order-processor",
  resourcesDir = RESOURCES,
  env = {},
  daprdEnv = {},
  apiToken,
  logLevel = "info",
  onLine = () => undefined,
  ports: fixedPorts = {},
}) {
  refuseIfEnding("daprd");
  const ports = {
    http: fixedPorts.http ?? (await freePort()),
    grpc: fixedPorts.grpc ?? (await freePort()),
    internal: fixedPorts.internal ?? (await freePort()),
    metrics: fixedPorts.metrics ?? (await freePort()),
  };
  const daprdArgs = [
    "--app-id",
    appId,
    "--mode",
    "standalone",
    "--resources-path",
    resourcesDir,
    "--config",
    DAPR_CONFIG,
    "--dapr-http-port",
    String(ports.http),
    "--dapr-grpc-port",
    String(ports.grpc),
    "--dapr-internal-grpc-port",
    String(ports.internal),
    "--metrics-port",
    String(ports.metrics),
    "--dapr-listen-addresses",
    "127.0.0.1",
    "--dapr-internal-grpc-listen-address",
    "127.0.0.1",
    "--metrics-listen-address",
    "127.0.0.1",
    "--placement-host-address",
    `localhost:${PLACEMENT_PORT}`,
    "--scheduler-host-address",
    `localhost:${SCHEDULER_PORT}`,
    "--log-level",
    logLevel,
  ];
  const daprdBin = path.join(DAPR_BIN, "daprd");
  if (!fs.existsSync(daprdBin)) throw new ToolError(`${daprdBin} is missing.`, "Run `npm run setup` to install Dapr.");
  const tokenEnv = apiToken ? { DAPR_API_TOKEN: apiToken } : {};
  refuseIfEnding("daprd"); // the free ports took a moment
  const daprd = spawn(daprdBin, daprdArgs, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...daprdEnv, ...tokenEnv },
  });
  const startedAt = Date.now();
  /** @type {import("node:child_process").ChildProcess | undefined} */
  let app;
  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () => {
    removeCleanup();
    stopping ??= endProcess(app).then(() => endProcess(daprd));
    return stopping;
  };
  const removeCleanup = onCleanup(stop);
  /** @type {string[]} */
  const daprdErrors = [];
  /** @type {{ what: "component" | "resiliency", msg: string }[]} lines that mean the start failed */
  const failures = [];
  for (const stream of [daprd.stdout, daprd.stderr]) {
    lines(stream, (line) => {
      const parsed = parseDaprdLine(line);
      if (parsed && ["error", "fatal"].includes(parsed.level ?? "")) daprdErrors.push(parsed.msg);
      const failed = parsed && startFailure(parsed);
      if (parsed && failed) failures.push({ what: failed, msg: parsed.msg });
      onLine({ source: "daprd", line, ...parsed });
    });
  }
  /** @type {Sidecar["daprdExited"]} */
  const daprdExited = new Promise((r) => daprd.once("exit", (code, signal) => r(code ?? signal)));

  // Ready when the outbound health endpoint answers: components (the state store) are initialised.
  // Not when daprd has said its start failed: after a component fails it still starts its servers
  // and answers "ready" for a moment before it exits, and after a resiliency policy fails it runs
  // on without it. Those lines come before its servers listen, so before any answer.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ready = false;
  while (!ready && !failures.length && Date.now() < deadline && daprd.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${ports.http}/v1.0/healthz/outbound`, {
        signal: AbortSignal.timeout(1_000),
      });
      ready = res.status === 204;
    } catch {
      /* not listening yet */
    }
    if (!ready) await sleep(100);
  }
  await new Promise(setImmediate); // a line already in the pipe is read before we decide
  if (failures.length) {
    removeCleanup();
    // A failed component ends daprd by itself in moments: wait for that (and its last lines, which
    // a pipe may deliver after the exit itself), to report its exit code and why.
    const closed = new Promise((r) => daprd.once("close", r));
    if (failures.some((f) => f.what === "component")) await Promise.race([closed, sleep(5_000)]);
    await endProcess(daprd);
    throw startFailed(daprd, daprdErrors, failures, resourcesDir);
  }
  if (!ready) {
    removeCleanup();
    const exitedByItself = daprd.exitCode !== null;
    await endProcess(daprd);
    const what = exitedByItself
      ? `daprd exited (code ${daprd.exitCode}) before it was ready`
      : `daprd did not become ready within ${READY_TIMEOUT_MS / 1000} s`;
    // daprd says only "could not listen on any endpoint": name the port someone else holds.
    const taken = [];
    if (daprdErrors.some((m) => /listen|address already in use/i.test(m))) {
      for (const [name, port] of Object.entries(ports)) if (await isPortOpen(port)) taken.push({ name, port });
    }
    throw new ToolError(
      `${what}${daprdErrors.length ? `:\n${daprdErrors.slice(-3).join("\n")}` : ""}`,
      taken.length
        ? `Port ${taken.map((t) => `${t.port} (daprd ${t.name})`).join(", ")} is taken by another process. Free it or pick another port; find it with: ss -ltnp 'sport = :${taken[0]?.port}'`
        : (redisRefused(daprdErrors) ?? "Is Redis running (npm run setup)? Are the resources valid?"),
    );
  }
  const readyAt = Date.now();
  // Stopped while it became ready (a signal): the app would start after its clean-up ran.
  if (stopping) throw new ToolStopping("not starting the app: this tool is stopping");

  const [cmd = "", ...args] = command;
  const appProcess = spawn(cmd, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...env,
      ...tokenEnv,
      APP_ID: appId,
      DAPR_HOST: "127.0.0.1",
      DAPR_HTTP_PORT: String(ports.http),
      DAPR_GRPC_PORT: String(ports.grpc),
    },
  });
  app = appProcess;
  const appStartedAt = Date.now();
  lines(appProcess.stdout, (line) => onLine({ source: "app", stream: "stdout", line }));
  lines(appProcess.stderr, (line) => onLine({ source: "app", stream: "stderr", line }));
  /** @type {Sidecar["appExited"]} */
  const appExited = new Promise((resolve) => {
    appProcess.once("error", (err) => resolve({ code: 127, error: err.message }));
    appProcess.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const metrics = async () => {
    const res = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return res.text();
  };
  return {
    appId,
    ports,
    daprdArgs,
    daprd,
    app: appProcess,
    daprdExited,
    appExited,
    startedAt,
    readyAt,
    appStartedAt,
    stop,
    metrics,
  };
}
