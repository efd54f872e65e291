// @ts-check
// Test-only: runs a tool as a user does, in a process group of its own, and
// ends it the hard ways: a signal to the whole group at a chosen line, or its
// reader closing the pipe. Every process the run starts carries a marker in
// its environment and every temporary folder goes under a TMPDIR of its own,
// so the test can list what the tool left behind, whatever its name or parent
// (redis-server daemonizes and is adopted by init).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";
import { ROOT } from "../../stack/paths.mjs";

const ZX = path.join(ROOT, "node_modules/zx/build/cli.js");
const MARK = "DAPR_RESILIENCY_TEST_RUN";

/**
 * A tool run with its marker and temp folder.
 * @typedef {object} MarkedRun
 * @property {string} mark the marker's value, in every process the run started
 * @property {string} tmp its TMPDIR
 * @property {() => number[]} processes pids of live processes carrying the marker
 * @property {() => string[]} leftovers what is left in its TMPDIR
 * @property {() => void} remove deletes its TMPDIR (after the test looked)
 */

/** @returns {MarkedRun & { env: NodeJS.ProcessEnv }} */
export function markedRun() {
  const mark = randomBytes(6).toString("hex");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tool-run-"));
  const needle = `${MARK}=${mark}`;
  return {
    mark,
    tmp,
    // Without Vitest's variables: a tool that sees VITEST leaves signals and pipes to the runner.
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST"))),
      [MARK]: mark,
      TMPDIR: tmp,
      FORCE_COLOR: "0",
    },
    processes() {
      /** @type {number[]} */
      const found = [];
      for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
          const env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
          const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
          if (env.includes(needle) && !/\) Z /.test(stat)) found.push(Number(pid));
        } catch {
          /* gone, or not ours to read */
        }
      }
      return found;
    },
    leftovers: () => fs.readdirSync(tmp),
    remove: () => fs.rmSync(tmp, { recursive: true, force: true }),
  };
}

/** @param {number} pid */
export const commandLine = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "(gone)";
  }
};

/**
 * @typedef {object} Ended
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 * @property {string} output stdout and stderr as they came, colours stripped
 * @property {boolean} matched the `at` line was seen
 * @property {boolean} hung killed after timeoutMs
 */

/**
 * Runs `zx tools/<script> args` in a new process group. When `at` matches the output so far (after
 * `afterMs`), sends `signal` to the whole group, as Ctrl-C or a closed terminal does; with
 * `closePipes`, also closes the reading end of its stdout and stderr then. Without a signal,
 * closes only the pipe `close` names, as a reader such as `head` does when it has had enough.
 * @param {object} o
 * @param {string} o.script e.g. demo.mjs
 * @param {string[]} o.args
 * @param {NodeJS.ProcessEnv} o.env
 * @param {RegExp} o.at
 * @param {NodeJS.Signals} [o.signal]
 * @param {"stdout" | "stderr"} [o.close] the pipe to close (no signal)
 * @param {boolean} [o.closePipes] with a signal: close both pipes too (SIGHUP: the terminal is gone)
 * @param {number} [o.afterMs]
 * @param {number} [o.timeoutMs] for the whole run
 * @returns {Promise<Ended>}
 */
export function runAndEnd({
  script,
  args,
  env,
  at,
  signal,
  close,
  closePipes = false,
  afterMs = 0,
  timeoutMs = 180_000,
}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ZX, path.join(ROOT, "tools", script), ...args], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let matched = false;
    const end = () => {
      if (signal) process.kill(-(child.pid ?? 0), signal);
      const pipes = signal
        ? closePipes
          ? [child.stdout, child.stderr]
          : []
        : [close === "stderr" ? child.stderr : child.stdout];
      for (const p of pipes) p.destroy();
    };
    /** @param {Buffer} b */
    const onData = (b) => {
      output += stripVTControlCharacters(String(b));
      if (!matched && at.test(output)) {
        matched = true;
        setTimeout(end, afterMs);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once("exit", (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, output, matched, hung: sig === "SIGKILL" });
    });
  });
}
