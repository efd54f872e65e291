// @ts-check
// Every command a Redis receives, with the time Redis stamped on it, from
// `redis-cli monitor`: the one place where each attempt of a retried write
// shows up on its own (daprd logs one retry line per operation, not per attempt).
//
//   const mon = await startMonitor(port);  …  const cmds = mon.stop();   // MonitoredCommand[]
import { spawn } from "node:child_process";
import readline from "node:readline";
import { onCleanup, refuseIfEnding } from "../cli/cleanup.mjs";

/**
 * @typedef {object} MonitoredCommand
 * @property {number} at       Redis's time stamp, Unix seconds (microseconds in the fraction)
 * @property {string} client   "127.0.0.1:port", or "lua" for a command a script ran
 * @property {string[]} args   the command and its arguments, unquoted
 */

/**
 * One line of MONITOR: `1764590000.123456 [0 127.0.0.1:40364] "EVAL" "…" "1" "key"`.
 * @param {string} line
 * @returns {MonitoredCommand | undefined} undefined for "OK" and anything else
 */
export function parseMonitorLine(line) {
  const m = /^(\d+\.\d+) \[\d+ ([^\]]+)\] (.*)$/.exec(line.trim());
  if (!m) return undefined;
  const args = [...(m[3] ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => (a[1] ?? "").replace(/\\(.)/g, "$1"));
  return { at: Number(m[1]), client: m[2] ?? "", args };
}

/**
 * The key a write of daprd's Redis state store touches: it saves and deletes with scripts
 * (EVAL script 1 key …), else plain SET/HSET/DEL key. Undefined for anything else, and for
 * what a script runs inside Redis (client "lua"): one attempt is one EVAL.
 * @param {MonitoredCommand} c
 * @returns {string | undefined}
 */
export function writtenKey(c) {
  if (c.client === "lua") return undefined;
  const cmd = (c.args[0] ?? "").toUpperCase();
  if (cmd === "EVAL" || cmd === "EVALSHA") return c.args[3];
  if (cmd === "SET" || cmd === "HSET" || cmd === "DEL") return c.args[1];
  return undefined;
}

/**
 * Starts `redis-cli monitor` against a Redis on 127.0.0.1.
 * @param {number} port
 * @returns {Promise<{ stop: () => MonitoredCommand[] }>} stop ends it and returns what it saw
 */
export async function startMonitor(port) {
  refuseIfEnding("redis-cli monitor");
  /** @type {MonitoredCommand[]} */
  const seen = [];
  const child = spawn("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "monitor"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const end = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  const removeCleanup = onCleanup(async () => end());
  readline.createInterface({ input: /** @type {import("node:stream").Readable} */ (child.stdout) }).on("line", (l) => {
    const c = parseMonitorLine(l);
    if (c) seen.push(c);
  });
  // MONITOR answers OK once it is on: commands before that are not seen.
  const on = await new Promise((resolve) => {
    child.stdout?.once("data", () => resolve(true));
    child.once("error", () => resolve(false));
    child.once("exit", () => resolve(false));
  });
  if (!on) {
    removeCleanup();
    throw new Error(`redis-cli monitor on port ${port} did not start (is redis-cli installed? npm run setup)`);
  }
  return {
    stop() {
      end();
      removeCleanup();
      return seen;
    },
  };
}
