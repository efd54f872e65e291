// @ts-check
// Taking down a Redis the tool does not own (the project's on 6379, a user's
// dapr_redis container) for an outage, with the way back registered first:
// Ctrl-C, SIGTERM, SIGHUP, a closed pipe or an error mid-outage all leave it
// running again (cli/cleanup.mjs). A Redis the tool started for itself is
// stopped and removed by its own clean-up instead; it needs none of this.
import { changeUntilRestored } from "../cli/cleanup.mjs";

/** @typedef {Pick<import("./redis.mjs").RedisHandle, "isUp" | "start" | "stop">} StoppableRedis */

/**
 * Stops `redis` (SIGTERM, or `signal`) until the returned function, or the tool's end, starts it again.
 * @param {StoppableRedis} redis
 * @param {NodeJS.Signals} [signal]
 * @returns {Promise<() => Promise<void>>} starts it again now, unless something else already did
 */
export function stopRedisUntilRestored(redis, signal) {
  return changeUntilRestored(
    () => redis.stop(signal),
    async () => {
      if (!(await redis.isUp())) await redis.start();
    },
  );
}

/**
 * Freezes a local redis-server (SIGSTOP: sockets open, nothing answered) until the returned
 * function, or the tool's end, lets it run again (SIGCONT).
 * @param {{ pause: () => void, resume: () => void }} redis a LocalRedis
 * @returns {Promise<() => Promise<void>>}
 */
export function pauseRedisUntilResumed(redis) {
  return changeUntilRestored(
    () => redis.pause(),
    () => {
      try {
        redis.resume();
      } catch {
        /* it is gone: nothing left frozen */
      }
    },
  );
}
