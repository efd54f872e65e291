// @ts-check
// Runs a command to its end (go install, pip, kustomize, kubeconform, hadolint…)
// and stops it if the tool is interrupted meanwhile.
import { spawn } from "node:child_process";
import { onCleanup } from "./cleanup.mjs";

/** @typedef {{ code: number, stdout: string, stderr: string }} RunResult */

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, input?: string }} [opts]
 * @returns {Promise<RunResult>}
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const stop = onCleanup(() => {
      child.kill("SIGTERM");
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c) => (stdout += c));
    child.stderr?.on("data", (c) => (stderr += c));
    child.once("error", (err) => {
      stop();
      reject(err);
    });
    child.once("close", (code, signal) => {
      stop();
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** The last lines of a failed command's output, for a message. */
export const tail = (/** @type {RunResult} */ r, n = 12) =>
  `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-n).join("\n");
