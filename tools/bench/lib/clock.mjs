// @ts-check
// The open loop's clock: each call goes out at its scheduled time, not when
// Node's millisecond timers get round to it. A timer sleeps until `leadMs`
// before the slot (timers fire up to ~1 ms late), then the loop polls on
// setImmediate (I/O keeps being served between polls) until the slot is due.
// The polling burns the driver's own core; it is counted (polls × the CPU of
// one empty poll, measured first) so the caller can take it out of the
// client's CPU per call.

/**
 * What the scheduler needs of time; the real one is `REAL_CLOCK`, tests pass fakes.
 * @typedef {object} Clock
 * @property {() => number} now                               ms, monotonic
 * @property {(fn: () => void, ms: number) => void} timeout     wake up after about `ms`
 * @property {(fn: () => void) => void} immediate              after the pending I/O has been served
 * @property {() => number} cpuMs                              this process's CPU time so far, ms
 */

/** @type {Clock} */
export const REAL_CLOCK = {
  now: () => performance.now(),
  timeout: (fn, ms) => void setTimeout(fn, ms),
  immediate: (fn) => void setImmediate(fn),
  cpuMs: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

/**
 * The CPU one empty poll costs (ms), from `polls` setImmediate turns with nothing else to do: the process's
 * CPU over them, or their wall time if less (the CPU reading also counts other threads: GC, I/O).
 * @param {Clock} clock
 * @returns {Promise<number>}
 */
export function pollCostMs(clock = REAL_CLOCK, polls = 10_000) {
  return new Promise((resolve) => {
    const cpu0 = clock.cpuMs();
    const t0 = clock.now();
    let n = 0;
    const turn = () => {
      if (++n < polls) clock.immediate(turn);
      else resolve(Math.max(0, Math.min(clock.cpuMs() - cpu0, clock.now() - t0)) / polls);
    };
    clock.immediate(turn);
  });
}

/**
 * @typedef {object} ScheduleStats
 * @property {number} polls     setImmediate turns spent waiting for a slot
 * @property {number} timers    timer wake-ups
 */

/**
 * Calls `fire(i, scheduledMs, nowMs)` for i = 0 … count-1 as soon as `start + i × intervalMs` has come, in order;
 * a slot found already past fires at once (its lateness is the caller's to record). Resolves after the last fire.
 * @param {{start: number, intervalMs: number, count: number, fire: (i: number, scheduled: number, now: number) => void, clock?: Clock, leadMs?: number}} o
 * @returns {Promise<ScheduleStats>}
 */
export function runSchedule({ start, intervalMs, count, fire, clock = REAL_CLOCK, leadMs = 1.5 }) {
  /** @type {ScheduleStats} */
  const stats = { polls: 0, timers: 0 };
  let i = 0;
  return new Promise((resolve, reject) => {
    const step = () => {
      try {
        let now = clock.now();
        for (; i < count && start + i * intervalMs <= now; i++) {
          fire(i, start + i * intervalMs, now);
          now = clock.now();
        }
        if (i >= count) return resolve(stats);
        const left = start + i * intervalMs - now;
        if (left > leadMs) {
          stats.timers++;
          clock.timeout(step, left - leadMs);
        } else {
          stats.polls++;
          clock.immediate(step);
        }
      } catch (err) {
        reject(err);
      }
    };
    step();
  });
}
