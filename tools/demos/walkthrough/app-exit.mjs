// @ts-check
// The app's end, as the steps see it: in words, and as a reason to stop waiting.

/** @typedef {import("./walk.mjs").Walk} Walk */

/**
 * How a process ended, in words.
 * @param {{ code?: number | null, signal?: string | null, error?: string }} e
 */
export function exitText(e) {
  if (e.error) return `an error (${e.error})`;
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}

/**
 * `promise`, or undefined once the app has ended: nothing more will come from
 * an app that is gone, so the walkthrough does not wait out every timeout.
 * @template T
 * @param {Walk} w
 * @param {Promise<T>} promise
 * @returns {Promise<T | undefined>}
 */
export const whileAppRuns = (w, promise) => Promise.race([promise, w.ended.then(() => undefined)]);
