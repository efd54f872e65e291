// @ts-check
// Test-only helpers: cleanups that run when a Vitest test finishes, and a
// Redis of the test's own that goes with them.
import fs from "node:fs";
import { startRedis } from "../../stack/isolated-stack.mjs";

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
