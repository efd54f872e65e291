// @ts-check
// The shapes the walkthrough passes around (JSDoc only; nothing runs here).

/** @typedef {import("../../stack/resources.mjs").Policy} Policy the policy read from resiliency.yaml */
/** @typedef {import("../../stack/redis.mjs").RedisHandle} ControlledRedis the Redis the walkthrough stops and starts */
/** @typedef {import("../../stack/sidecar.mjs").Sidecar} Sidecar */

/**
 * One row of the verdict table: an expectation, met or not.
 * @typedef {object} Row
 * @property {string} name
 * @property {boolean} ok
 * @property {string} detail
 * @property {number | undefined} at   seconds since the tool started
 */

/**
 * The outage, seconds since the tool started; a step not seen stays undefined.
 * @typedef {object} Timeline
 * @property {string} [fault]        --fault: its name (redisDown/redisUp: when it was applied/cleared)
 * @property {number} [redisDown]
 * @property {number} [firstRetry]
 * @property {number} [breakerOpen]
 * @property {number} [halfOpen]
 * @property {number} [reopen]
 * @property {number} [redisBackEarly]  Redis up again during the outage, started by another process
 * @property {number} [redisUp]
 * @property {number} [recovered]
 * @property {number} [nextOrder]
 * @property {number} [appExit]     when the app ended, by itself or after SIGTERM
 */

/**
 * @typedef {object} OrdersSummary
 * @property {number} before     saved before Redis stopped
 * @property {number} during     saved while it was down
 * @property {number} after
 * @property {number | undefined} first
 * @property {number | undefined} last
 * @property {number} readBack   read-backs the app printed
 * @property {number} deleted    orders the app reported deleting (not expected in Redis, not lost)
 * @property {number} [cutOff]  the last order, gone though its delete was not reported: the app was ended mid-step
 * @property {number} lost       reported saved, not deleted, and missing or wrong in Redis
 * @property {number} repeated
 * @property {number} skipped
 */

/**
 * How the app ended.
 * @typedef {object} AppExit
 * @property {number | null} [code]
 * @property {string | null} [signal]
 * @property {string} [error]         spawn error (command not found)
 * @property {number} at              seconds since the tool started
 */

/**
 * One walkthrough's result: what --json prints per variant.
 * @typedef {object} WalkResult
 * @property {string} variant        the variant's project or the app command
 * @property {boolean} ok
 * @property {Row[]} expectations
 * @property {Timeline} timeline
 * @property {OrdersSummary} orders
 * @property {Policy} policy
 * @property {{ code: number | null, signal: string | null, afterSigterm: boolean } | undefined} exit
 * @property {number} [seconds]
 */

export {};
