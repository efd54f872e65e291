// @ts-check
// Placement (actors) and scheduler (jobs, reminders) on the ports `dapr run`
// expects: in slim mode nothing starts them, so the tools do, as `dapr init`
// would with its containers. They keep running after a tool ends, like those
// containers; `npm run services -- stop` stops what the project started.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { DAPR_BIN, STATE_DIR } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { freePort, isPortOpen, waitForPort } from "./net.mjs";
import { step } from "../cli/console.mjs";

export const PLACEMENT_PORT = 50005;
export const SCHEDULER_PORT = 50006;

/**
 * What both services take: their port and free health and metrics ports, all on loopback.
 * @param {number} port
 */
const loopbackArgs = async (port) => [
  "--port",
  String(port),
  "--listen-address",
  "127.0.0.1",
  "--healthz-port",
  String(await freePort()),
  "--healthz-listen-address",
  "127.0.0.1",
  "--metrics-port",
  String(await freePort()),
  "--metrics-listen-address",
  "127.0.0.1",
];

/** @typedef {"placement" | "scheduler"} ServiceName */

/** @type {Record<ServiceName, { port: number, args: () => Promise<string[]> }>} */
const SERVICES = {
  placement: {
    port: PLACEMENT_PORT,
    args: async () => [
      ...(await loopbackArgs(PLACEMENT_PORT)),
      "--initial-cluster",
      `dapr-placement-0=127.0.0.1:${await freePort()}`,
    ],
  },
  scheduler: {
    port: SCHEDULER_PORT,
    args: async () => [
      ...(await loopbackArgs(SCHEDULER_PORT)),
      "--etcd-data-dir",
      path.join(STATE_DIR, "scheduler", "etcd"),
      "--etcd-client-port",
      String(await freePort()),
      "--etcd-client-listen-address",
      "127.0.0.1",
      "--etcd-initial-cluster",
      `dapr-scheduler-server-0=http://127.0.0.1:${await freePort()}`,
    ],
  },
};

/** @param {ServiceName} name */
const pidFile = (name) => path.join(STATE_DIR, "services", `${name}.pid`);
/** @param {ServiceName} name */
const serviceLog = (name) => path.join(STATE_DIR, "services", `${name}.log`);

/** @param {ServiceName} name */
function livePid(name) {
  try {
    const pid = Number(fs.readFileSync(pidFile(name), "utf8"));
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * @param {ServiceName} name
 * @returns {Promise<boolean>} false when something already listens on its port
 */
async function ensureService(name) {
  const svc = SERVICES[name];
  if (await isPortOpen(svc.port)) return false;
  fs.mkdirSync(path.dirname(pidFile(name)), { recursive: true });
  const log = fs.openSync(serviceLog(name), "a");
  // Detached and in its own session: it outlives this tool, like dapr init's containers.
  const child = spawn(path.join(DAPR_BIN, name), await svc.args(), { detached: true, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(pidFile(name), String(child.pid));
  const up = await waitForPort(svc.port, { timeoutMs: 30_000, abort: () => child.exitCode !== null });
  if (!up) {
    const tail = fs.readFileSync(serviceLog(name), "utf8").trim().split("\n").slice(-5).join("\n");
    throw new ToolError(`${name} did not start on 127.0.0.1:${svc.port}:\n${tail}`, `Full log: ${serviceLog(name)}`);
  }
  step(`started ${name} on 127.0.0.1:${svc.port} (pid ${child.pid}, log ${serviceLog(name)})`);
  return true;
}

/** Starts placement and scheduler unless their ports already answer. */
export async function ensureControlPlane() {
  await ensureService("placement");
  await ensureService("scheduler");
}

/** Stops placement and scheduler if this project started them. */
export async function stopControlPlane() {
  for (const name of /** @type {ServiceName[]} */ (Object.keys(SERVICES))) {
    const pid = livePid(name);
    if (!pid) continue;
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 50 && livePid(name); i++) await sleep(100);
    fs.rmSync(pidFile(name), { force: true });
    step(`stopped ${name} (pid ${pid})`);
  }
}
