// @ts-check
// Toxiproxy, the TCP fault proxy the lab (and the soak) put between daprd and
// Redis, so that Redis stays healthy while daprd's link to it misbehaves.
// Built from its Go module on first use (STATE_DIR/bin), driven through its
// REST API; the API and every proxy listen on 127.0.0.1 only.
//
//   const tp = await startToxiproxy();              // server on a free port; stopped on every way out
//   const p = await tp.createProxy({ name: "redis-a", upstream: 6380 }); // p.port: point daprd here
//   await p.addToxic({ type: "latency", attributes: { latency: 300, jitter: 100 } });
//   await p.removeToxic("latency_downstream");  await p.clearToxics();
//   await p.setEnabled(false);                  // connections refused (and open ones closed)
//   await p.remove();  await tp.stop();
// The named faults built on these are in faults.mjs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { ToolError } from "../cli/errors.mjs";
import { onCleanup } from "../cli/cleanup.mjs";
import { VERSIONS } from "./paths.mjs";
import { freePort, isPortOpen } from "./net.mjs";
import { ensureGoTool, goToolPath } from "./go-tool.mjs";
import { endProcess } from "./sidecar.mjs";

/** @typedef {"latency" | "bandwidth" | "slow_close" | "timeout" | "reset_peer" | "slicer" | "limit_data"} ToxicType */

/**
 * One toxic as Toxiproxy's API takes it.
 * @typedef {object} Toxic
 * @property {ToxicType} type
 * @property {string} [name]        default: <type>_<stream>, Toxiproxy's own default
 * @property {"upstream" | "downstream"} [stream]  upstream: daprd → Redis; downstream: Redis → daprd (default)
 * @property {number} [toxicity]   the share of connections it applies to, 0..1 (default 1)
 * @property {Record<string, number>} [attributes]  e.g. { latency: 300, jitter: 100 }
 */

export const TOXIPROXY = {
  name: "toxiproxy-server",
  module: "github.com/Shopify/toxiproxy/v2/cmd/server",
  get version() {
    return /** @type {string} */ (VERSIONS.toxiproxy);
  },
  built: "server",
  neededBy: "the lab's fault proxy",
  rerun: "npx zx tools/demo.mjs lab",
};

/** toxiproxy-server, built with `go install` when missing. */
export const ensureToxiproxy = () => ensureGoTool(TOXIPROXY);
/** Where toxiproxy-server is (or will be) installed. */
export const toxiproxyPath = () => goToolPath(TOXIPROXY);

/**
 * Calls the REST API; a refusal is a ToolError quoting Toxiproxy's answer.
 * @param {string} base  @param {string} method  @param {string} route  @param {unknown} [body]
 */
async function api(base, method, route, body) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  if (!res.ok)
    throw new ToolError(
      `Toxiproxy refused ${method} ${route}: ${res.status} ${text.trim()}`,
      "This is a bug in the tool's use of Toxiproxy, or the server was stopped meanwhile.",
    );
  return text ? JSON.parse(text) : undefined;
}

/** One proxy: a listener on 127.0.0.1:port that forwards to its upstream. */
export class Proxy {
  /** @param {string} base @param {string} name @param {number} port @param {string} upstream */
  constructor(base, name, port, upstream) {
    this.base = base;
    this.name = name;
    this.port = port;
    this.upstream = upstream;
    /** @type {Set<string>} names of the toxics this object added */
    this.toxics = new Set();
  }
  get route() {
    return `/proxies/${encodeURIComponent(this.name)}`;
  }
  /**
   * Adds a toxic; it applies at once, to open connections too.
   * @param {Toxic} t
   * @returns {Promise<string>} its name
   */
  async addToxic(t) {
    const stream = t.stream ?? "downstream";
    const name = t.name ?? `${t.type}_${stream}`;
    await api(this.base, "POST", `${this.route}/toxics`, {
      name,
      type: t.type,
      stream,
      toxicity: t.toxicity ?? 1,
      attributes: t.attributes ?? {},
    });
    this.toxics.add(name);
    return name;
  }
  /** @param {string} name */
  async removeToxic(name) {
    await api(this.base, "DELETE", `${this.route}/toxics/${encodeURIComponent(name)}`);
    this.toxics.delete(name);
  }
  /** Removes every toxic of this proxy (whoever added it). */
  async clearToxics() {
    /** @type {{ name: string }[]} */
    const all = (await api(this.base, "GET", `${this.route}/toxics`)) ?? [];
    for (const t of all) await this.removeToxic(t.name);
  }
  /** @returns {Promise<{ name: string, type: string, stream: string, toxicity: number, attributes: Record<string, number> }[]>} */
  async listToxics() {
    return (await api(this.base, "GET", `${this.route}/toxics`)) ?? [];
  }
  /**
   * Disabled: the listener is closed (new connections refused) and open connections are cut.
   * @param {boolean} enabled
   */
  async setEnabled(enabled) {
    await api(this.base, "PATCH", this.route, { enabled });
  }
  async remove() {
    await api(this.base, "DELETE", this.route);
  }
}

/**
 * A running toxiproxy-server.
 * @typedef {object} Toxiproxy
 * @property {number} apiPort
 * @property {string} url           http://127.0.0.1:<apiPort>
 * @property {string} logFile       its log (Toxiproxy logs each connection)
 * @property {(o: { name: string, upstream: number | string, port?: number }) => Promise<Proxy>} createProxy
 *   upstream: a port on 127.0.0.1 or host:port; port: where to listen (default: a free one)
 * @property {() => Promise<void>} reset  every proxy enabled, every toxic removed
 * @property {() => Promise<string>} version
 * @property {() => Promise<void>} stop   the server and with it every proxy
 */

/**
 * Starts toxiproxy-server on 127.0.0.1 (building it first when missing); it is
 * stopped on every way out of the tool.
 * @param {{ port?: number, logDir?: string }} [o] logDir: keep its log there (default: a temporary file, removed on stop)
 * @returns {Promise<Toxiproxy>}
 */
export async function startToxiproxy({ port, logDir } = {}) {
  const bin = await ensureToxiproxy();
  const apiPort = port ?? (await freePort());
  if (await isPortOpen(apiPort))
    throw new ToolError(
      `Port ${apiPort} (Toxiproxy's API) is taken by another process.`,
      `Free it or pick another; find its owner with: ss -ltnp 'sport = :${apiPort}'`,
    );
  const dir = logDir ?? os.tmpdir();
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, `toxiproxy-${apiPort}.log`);
  const log = fs.openSync(logFile, "a");
  const child = spawn(bin, ["-host", "127.0.0.1", "-port", String(apiPort)], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
  });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${apiPort}`;
  /** @type {Promise<void> | undefined} */
  let stopping;
  const stop = () => {
    removeCleanup();
    // Its log is kept only where the caller asked for it.
    stopping ??= endProcess(child, 2_000).then(() => {
      if (!logDir) fs.rmSync(logFile, { force: true });
    });
    return stopping;
  };
  const removeCleanup = onCleanup(stop);
  const version = async () => String((await api(url, "GET", "/version"))?.version ?? "");
  for (const deadline = Date.now() + 10_000; ; await sleep(50)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const said = fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-3).join("\n");
      await stop();
      throw new ToolError(
        `toxiproxy-server did not start on 127.0.0.1:${apiPort}${said ? `:\n${said}` : "."}`,
        `See its log: ${logFile}`,
      );
    }
    if (await version().catch(() => "")) break;
  }
  return {
    apiPort,
    url,
    logFile,
    async createProxy({ name, upstream, port: listen }) {
      const listenPort = listen ?? (await freePort());
      const up = typeof upstream === "number" ? `127.0.0.1:${upstream}` : upstream;
      if (await isPortOpen(listenPort))
        throw new ToolError(
          `Port ${listenPort} (proxy ${name}) is taken by another process.`,
          `Free it or pick another; find its owner with: ss -ltnp 'sport = :${listenPort}'`,
        );
      await api(url, "POST", "/proxies", { name, listen: `127.0.0.1:${listenPort}`, upstream: up, enabled: true });
      return new Proxy(url, name, listenPort, up);
    },
    async reset() {
      await api(url, "POST", "/reset");
    },
    version,
    stop,
  };
}
