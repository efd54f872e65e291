// @ts-check
// The container engine behind the seed's `docker …` commands. The Docker CLI
// talks to whatever Docker API DOCKER_HOST (or the default socket) reaches; on
// a machine with none, container mode installs Debian's podman with runc and
// serves podman's Docker API on a socket of this project's own, a long-running
// service like its Redis (npm run services -- status|stop).
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { $, which } from "zx";
import { STATE_DIR } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { step } from "../cli/console.mjs";
import { aptInstall, canAptInstall } from "./apt.mjs";

export const ENGINE_DIR = path.join(STATE_DIR, "podman");
const SOCKET = path.join(ENGINE_DIR, "podman.sock");
export const OWN_DOCKER_HOST = `unix://${SOCKET}`;
const CONF = path.join(ENGINE_DIR, "containers.conf");
const PID_FILE = path.join(ENGINE_DIR, "service.pid");
const LOG_FILE = path.join(ENGINE_DIR, "service.log");

// podman's default runtime, crun, refuses this VM's cgroups ("cgroups in hybrid mode not
// supported"); runc runs, but only without podman's raised default rlimits, which a container
// here may not set ("error setting rlimits … operation not permitted").
const CONTAINERS_CONF = `# written by dapr-resiliency (tools/stack/container-engine.mjs) for its podman service
[containers]
default_ulimits = []

[engine]
runtime = "runc"
`;

/**
 * A Docker API the docker CLI reaches.
 * @typedef {object} Engine
 * @property {string} host      what DOCKER_HOST is (or the default socket)
 * @property {string} server    the server's name and version, e.g. "Podman Engine 4.3.1"
 * @property {boolean} ours     the podman service this project runs
 */

/** The Docker API the CLI reaches with `env`'s DOCKER_HOST; undefined when none answers. */
async function answering(env = process.env) {
  const r = await $({ env })`docker version --format ${"{{range .Server.Components}}{{.Name}} {{.Version}}\n{{end}}"}`
    .nothrow()
    .quiet()
    .timeout("10s");
  return r.exitCode === 0 ? r.stdout.trim().split("\n")[0] || "Docker Engine" : undefined;
}

/** @returns {number | undefined} the pid of this project's podman service, when it runs */
export function ownServicePid() {
  try {
    const pid = Number(fs.readFileSync(PID_FILE, "utf8").trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * The engine the user has: DOCKER_HOST's or the default socket's. Not this project's own service,
 * so that --redis auto picks a container only on a machine where Docker runs one.
 * @returns {Promise<Engine | undefined>}
 */
export async function userEngine() {
  if (!(await which("docker", { nothrow: true }))) return undefined;
  const server = await answering();
  if (!server) return undefined;
  const host = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  return { host, server, ours: host === OWN_DOCKER_HOST };
}

/**
 * A Docker API for container mode: the user's engine, else this project's podman service
 * (installed and started when missing). Sets DOCKER_HOST for this process and its children, so
 * every later `docker …` reaches it.
 * @returns {Promise<Engine>}
 */
export async function ensureEngine() {
  if (!(await which("docker", { nothrow: true }))) {
    throw new ToolError(
      "Container mode needs the docker command (the Docker CLI), and it is not installed.",
      "Install the Docker CLI (Debian: apt-get install docker.io, or Docker's docker-ce-cli), then run this again.",
    );
  }
  const found = await userEngine();
  if (found) return found;
  if (process.env.DOCKER_HOST && process.env.DOCKER_HOST !== OWN_DOCKER_HOST) {
    throw new ToolError(
      `DOCKER_HOST=${process.env.DOCKER_HOST}, and no Docker engine answers there.`,
      "Start that engine, or unset DOCKER_HOST to let this project run podman on a socket of its own.",
    );
  }
  await startOwnService();
  process.env.DOCKER_HOST = OWN_DOCKER_HOST;
  const server = await answering();
  if (!server)
    throw new ToolError(`podman's service started but its Docker API does not answer.`, `See its log: ${LOG_FILE}`);
  return { host: OWN_DOCKER_HOST, server, ours: true };
}

/** podman and runc, installed when missing; the one-line reason when they cannot be. */
async function ensurePodman() {
  const missing = [];
  if (!(await which("podman", { nothrow: true }))) missing.push("podman");
  if (!(await which("runc", { nothrow: true }))) missing.push("runc");
  if (!missing.length) return;
  if (!(await canAptInstall())) {
    throw new ToolError(
      `No container engine: no Docker API at ${process.env.DOCKER_HOST || "/var/run/docker.sock"}, and ${missing.join(" and ")} cannot be installed here (installing needs root and apt-get).`,
      "Start Docker (or set DOCKER_HOST to a running engine), or install podman: sudo apt-get install podman runc",
    );
  }
  await aptInstall(missing, "sudo apt-get install podman runc");
}

/**
 * A service whose working folder was deleted (started from a clone that is gone) cannot start a
 * container: conmon inherits that folder and fails with "Failed to get working directory", and
 * `docker start` answers "write child: broken pipe". Linux only (/proc); elsewhere false.
 * @param {number} pid
 */
export function lostItsFolder(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`).endsWith(" (deleted)");
  } catch {
    return false;
  }
}

/** Runs `podman system service` on this project's socket, left running like its Redis. */
async function startOwnService() {
  const running = ownServicePid();
  if (running !== undefined && lostItsFolder(running)) {
    step(`podman's service (pid ${running}) runs in a deleted folder and cannot start containers: restarting it`);
    process.kill(running, "SIGTERM");
    for (let i = 0; i < 100 && ownServicePid() !== undefined; i++) await sleep(100);
  } else if (running !== undefined && fs.existsSync(SOCKET)) return;
  await ensurePodman();
  fs.mkdirSync(ENGINE_DIR, { recursive: true });
  fs.writeFileSync(CONF, CONTAINERS_CONF);
  fs.rmSync(SOCKET, { force: true });
  const log = fs.openSync(LOG_FILE, "a");
  const child = spawn("podman", ["system", "service", "--time=0", OWN_DOCKER_HOST], {
    cwd: ENGINE_DIR, // it outlives this tool and the folder it was started from (a clone, say)
    detached: true,
    stdio: ["ignore", log, log],
    env: podmanEnv(),
  });
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(PID_FILE, String(child.pid));
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(100)) {
    if (child.exitCode !== null) break;
    if (fs.existsSync(SOCKET)) {
      step(`started podman's Docker API on ${SOCKET} (runtime runc; config ${CONF})`);
      return;
    }
  }
  const tail = fs.readFileSync(LOG_FILE, "utf8").trim().split("\n").slice(-5).join("\n");
  throw new ToolError(`podman system service did not open ${SOCKET}:\n${tail}`, `See its log: ${LOG_FILE}`);
}

/** The environment a podman command of this project's runs with: its own containers.conf. */
export function podmanEnv() {
  return { ...process.env, CONTAINERS_CONF: CONF };
}

/** Stops this project's podman service (containers keep running: conmon holds them). */
export async function stopOwnService() {
  const pid = ownServicePid();
  if (pid === undefined) return false;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && ownServicePid() !== undefined; i++) await sleep(100);
  fs.rmSync(PID_FILE, { force: true });
  return true;
}

/** For `npm run services`: the one line about the engine. */
export async function engineStatus() {
  const pid = ownServicePid();
  if (pid !== undefined) return `podman     ${SOCKET}  running (started by this project, pid ${pid})`;
  const user = await userEngine();
  return user
    ? `docker     ${user.host}  ${user.server} (not ours)`
    : "docker     no engine (container mode starts podman)";
}
