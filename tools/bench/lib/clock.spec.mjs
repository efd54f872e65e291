// @ts-check
// The open-loop scheduler against a FAKE clock: virtual time whose timers fire
// late the way Node's millisecond timers do, and whose polls each take a few µs.
import { describe, expect, it } from "vitest";
import { REAL_CLOCK, pollCostMs, runSchedule } from "./clock.mjs";

/**
 * FAKE clock for unit tests only. A timer for `ms` fires at the next whole millisecond after now + ms, plus
 * `lateMs` (libuv's loop time is in ms); an immediate runs `pollMs` after now. Each poll costs `pollMs` of CPU.
 */
function fakeClock({ lateMs = 0.6, pollMs = 0.004 } = {}) {
  let t = 100.25;
  let cpu = 0;
  /** @type {{at: number, fn: () => void, seq: number}[]} */
  const queue = [];
  let seq = 0;
  const add = (/** @type {number} */ at, /** @type {() => void} */ fn) => queue.push({ at, fn, seq: seq++ });
  /** @type {import("./clock.mjs").Clock} */
  const clock = {
    now: () => t,
    timeout: (fn, ms) => add(Math.ceil(t + ms) + lateMs, fn),
    immediate: (fn) => {
      cpu += pollMs;
      add(t + pollMs, fn);
    },
    cpuMs: () => cpu,
  };
  /** Runs the queued callbacks in time order until none is left. */
  const drain = () => {
    while (queue.length) {
      queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = /** @type {{at: number, fn: () => void}} */ (queue.shift());
      t = Math.max(t, next.at);
      next.fn();
    }
  };
  return { clock, drain, advance: (/** @type {number} */ ms) => (t += ms) };
}

describe("runSchedule (fake clock)", () => {
  it("fires every slot in order within a poll's length of its time, where a bare timer is ~1 ms late", async () => {
    const { clock, drain } = fakeClock();
    /** @type {{i: number, lag: number}[]} */
    const fired = [];
    const start = clock.now() + 2;
    const done = runSchedule({
      start,
      intervalMs: 1,
      count: 200,
      clock,
      fire: (i, scheduled, now) => fired.push({ i, lag: now - scheduled }),
    });
    drain();
    const stats = await done;
    expect(fired.map((f) => f.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (const f of fired) {
      expect(f.lag).toBeGreaterThanOrEqual(0);
      expect(f.lag).toBeLessThanOrEqual(0.004 + 1e-9);
    }
    expect(stats.polls).toBeGreaterThan(0);
    // The same fake timer alone, aimed at each slot, is late by 0.6 ms or more.
    const { clock: c2, drain: d2 } = fakeClock();
    let late = Infinity;
    c2.timeout(() => (late = c2.now() - (100.25 + 3)), 3);
    d2();
    expect(late).toBeGreaterThan(0.5);
  });

  it("sleeps on a timer while the next slot is far, and polls only in the last leadMs", async () => {
    const { clock, drain } = fakeClock();
    const done = runSchedule({ start: clock.now() + 1, intervalMs: 10, count: 20, clock, leadMs: 1.5, fire: () => {} });
    drain();
    const stats = await done;
    expect(stats.timers).toBeGreaterThanOrEqual(19);
    // ≤ (1.5 ms lead, less the timer's own lateness) / 4 µs a poll per slot, far fewer than 10 ms of polling.
    expect(stats.polls / 20).toBeLessThan(1.5 / 0.004 + 2);
    expect(stats.polls / 20).toBeGreaterThan(10);
  });

  it("fires slots already past at once, one after the other, when the caller fell behind", async () => {
    const { clock, drain, advance } = fakeClock();
    /** @type {number[]} */
    const lags = [];
    const start = clock.now();
    advance(5); // five slots already due
    const done = runSchedule({ start, intervalMs: 1, count: 8, clock, fire: (_, s, now) => lags.push(now - s) });
    drain();
    await done;
    expect(lags).toHaveLength(8);
    expect(lags[0]).toBeCloseTo(5);
    expect(lags[5]).toBeCloseTo(0, 1);
  });

  it("rejects when a fire throws, and fires nothing more", async () => {
    const { clock, drain } = fakeClock();
    let calls = 0;
    const done = runSchedule({
      start: clock.now() + 1,
      intervalMs: 1,
      count: 10,
      clock,
      fire: (i) => {
        calls++;
        if (i === 3) throw new Error("boom");
      },
    });
    drain();
    await expect(done).rejects.toThrow("boom");
    expect(calls).toBe(4);
  });
});

describe("pollCostMs", () => {
  it("is the CPU of one poll on the fake clock", async () => {
    const { clock, drain } = fakeClock({ pollMs: 0.003 });
    const cost = pollCostMs(clock, 500);
    drain();
    expect(await cost).toBeCloseTo(0.003, 6);
  });

  it("is a small positive number on the real clock (µs, not ms)", async () => {
    const cost = await pollCostMs(REAL_CLOCK, 3000);
    expect(cost).toBeGreaterThanOrEqual(0);
    expect(cost).toBeLessThan(0.2);
  });
});
