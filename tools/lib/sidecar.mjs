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
import { ToolError } from "./errors.mjs";
import { freePort, isPortOpen } from "./net.mjs";
import { onCleanup } from "./cleanup.mjs";
import { PLACEMENT_PORT, SCHEDULER_PORT } from "./control-plane.mjs";
import { parseDaprdLine } from "./daprd-log.mjs";

function lines(stream, fn) {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on("line", fn);
}

/** Ends a child and its process group: SIGTERM, then SIGKILL after graceMs. */
export async function endProcess(child, graceMs = 5_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  const kill = (sig) => {
    try {
      process.kill(-child.pid, sig);
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

/**
 * Starts daprd, waits until its state store is ready, then starts the app.
 * @param {object} o
 * @param {string[]} o.command the app command, e.g. ["node", "apps/sdk-app/dist/main.js"]
 * @param {Record<string,string>} [o.daprdEnv] variables for daprd only (e.g. REDIS_PASSWORD for an env secret store), not the app
 * @param {(e: {source: "app"|"daprd", stream?: string, line: string, level?: string, msg?: string}) => void} o.onLine
 */
export async function startSidecar({
  command,
  appId = "order-processor",
  resourcesDir = RESOURCES,
  configFile = DAPR_CONFIG,
  env = {},
  daprdEnv = {},
  apiToken,
  logLevel = "info",
  onLine = () => undefined,
  readyTimeoutMs = 30_000,
  cwd,
  ports: fixedPorts = {},
}) {
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
    configFile,
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
  const daprd = spawn(daprdBin, daprdArgs, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...daprdEnv, ...tokenEnv },
  });
  const handle = { ports, daprd, app: undefined, appId, daprdArgs, startedAt: Date.now() };
  const removeCleanup = onCleanup(() => handle.stop());
  const daprdErrors = [];
  for (const stream of [daprd.stdout, daprd.stderr]) {
    lines(stream, (line) => {
      const parsed = parseDaprdLine(line);
      if (parsed && ["error", "fatal"].includes(parsed.level)) daprdErrors.push(parsed.msg);
      onLine({ source: "daprd", line, ...parsed });
    });
  }
  handle.daprdExited = new Promise((r) => daprd.once("exit", (code, signal) => r(code ?? signal)));

  // Ready when the outbound health endpoint answers: components (the state store) are initialised.
  const deadline = Date.now() + readyTimeoutMs;
  let ready = false;
  while (!ready && Date.now() < deadline && daprd.exitCode === null) {
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
  if (!ready) {
    removeCleanup();
    const exitedByItself = daprd.exitCode !== null;
    await endProcess(daprd);
    const what = exitedByItself
      ? `daprd exited (code ${daprd.exitCode}) before it was ready`
      : `daprd did not become ready within ${readyTimeoutMs / 1000} s`;
    // daprd says only "could not listen on any endpoint": name the port someone else holds.
    const taken = [];
    if (daprdErrors.some((m) => /listen|address already in use/i.test(m))) {
      for (const [name, port] of Object.entries(ports)) if (await isPortOpen(port)) taken.push({ name, port });
    }
    const refused = daprdErrors.some((m) => /WRONGPASS|NOAUTH/.test(m));
    throw new ToolError(
      `${what}${daprdErrors.length ? `:\n${daprdErrors.slice(-3).join("\n")}` : ""}`,
      taken.length
        ? `Port ${taken.map((t) => `${t.port} (daprd ${t.name})`).join(", ")} is taken by another process. Free it or pick another port; find it with: ss -ltnp 'sport = :${taken[0].port}'`
        : refused
          ? "Redis refused the state store's password: set REDIS_PASSWORD to the password Redis was started with (its requirepass)."
          : "Is Redis running (npm run setup)? Are the resources valid?",
    );
  }
  handle.readyAt = Date.now();

  const [cmd, ...args] = command;
  const app = spawn(cmd, args, {
    cwd,
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
  handle.app = app;
  handle.appStartedAt = Date.now();
  lines(app.stdout, (line) => onLine({ source: "app", stream: "stdout", line }));
  lines(app.stderr, (line) => onLine({ source: "app", stream: "stderr", line }));
  handle.appExited = new Promise((resolve) => {
    app.once("error", (err) => resolve({ code: 127, error: err.message }));
    app.once("exit", (code, signal) => resolve({ code, signal }));
  });

  /** Stops the app (SIGTERM, as `dapr stop` does), then daprd. */
  let stopping;
  handle.stop = () => {
    removeCleanup();
    stopping ??= endProcess(handle.app).then(() => endProcess(daprd));
    return stopping;
  };
  /** daprd's Prometheus metrics, as text. */
  handle.metrics = async () => {
    const res = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return res.text();
  };
  return handle;
}
