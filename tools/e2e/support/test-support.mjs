// @ts-check
// Test-only helpers: cleanups that run when a Vitest test finishes, a
// Redis of the test's own that goes with them, and a demo run as a user runs it.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { startRedis } from "../../stack/isolated-stack.mjs";
import { ROOT } from "../../stack/paths.mjs";

/**
 * `npx zx tools/demo.mjs <command> <args>`, to its end: its exit code and everything it printed.
 * @param {string} command @param {string[]} args
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export function runDemo(command, args) {
  const zx = path.join(ROOT, "node_modules/zx/build/cli.js");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [zx, path.join(ROOT, "tools/demo.mjs"), command, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** @typedef {(() => unknown)[]} CleanupList */

/**
 * Collects a test's cleanups; they run last-in first-out when it finishes, passed or failed.
 * @param {(fn: () => Promise<void>) => void} onTestFinished the test context's
 * @returns {CleanupList}
 */
export function cleanupList(onTestFinished) {
  /** @type {CleanupList} */
  const list = [];
  onTestFinished(async () => {
    for (const fn of list.reverse()) {
      try {
        await fn();
      } catch {
        /* best effort: the next one still runs */
      }
    }
  });
  return list;
}

/** A Redis of the test's own, stopped and deleted when the test ends (resumed first: a paused Redis ignores SIGTERM). */
/**
 * @param {CleanupList} cleanups
 * @param {Parameters<typeof startRedis>[0]} [options]
 */
export async function ownRedis(cleanups, options) {
  const redis = await startRedis(options);
  cleanups.push(async () => {
    try {
      redis.resume();
    } catch {
      /* not running */
    }
    await redis.stop();
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });
  return redis;
}
