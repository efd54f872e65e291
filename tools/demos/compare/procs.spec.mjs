// @ts-check
// The /proc readings compare's CPU accounting rests on, read from this very process.
import { describe, expect, it } from "vitest";
import {
  BusyTracker,
  cpuSeconds,
  loadClockTicks,
  machineBusySeconds,
  procStat,
  rssMB,
  runWaitSeconds,
} from "./procs.mjs";

const spin = (/** @type {number} */ ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end) Math.sqrt(Math.random());
};

describe("/proc readings", () => {
  it("reads this process's CPU time, which grows when it works", async () => {
    const ticks = await loadClockTicks();
    expect(ticks).toBeGreaterThan(0);
    const s = procStat(process.pid);
    expect(s).toMatchObject({ pid: process.pid, comm: expect.any(String) });
    const before = cpuSeconds(process.pid);
    const busyBefore = machineBusySeconds();
    // Spin until the reading moves (ticks are 10 ms; a busy machine may give us a fraction of a core).
    const deadline = performance.now() + 10_000;
    while (cpuSeconds(process.pid) - before < 0.05 && performance.now() < deadline) spin(20);
    const used = cpuSeconds(process.pid) - before;
    expect(used).toBeGreaterThanOrEqual(0.05);
    // Compared in whole clock ticks: the machine's total is thousands of seconds, and subtracting two such
    // floats leaves an error of about 1e-11 s that can put an equal reading just below the bound.
    const inTicks = (/** @type {number} */ seconds) => Math.round(seconds * ticks);
    expect(inTicks(machineBusySeconds() - busyBefore)).toBeGreaterThanOrEqual(inTicks(used - 0.02));
  });

  it("reads resident memory and run-queue wait, and NaN for a process that is gone", () => {
    expect(rssMB(process.pid)).toBeGreaterThan(10);
    expect(runWaitSeconds(process.pid)).toBeGreaterThanOrEqual(0);
    expect(procStat(2 ** 30)).toBeUndefined();
    expect(cpuSeconds(2 ** 30)).toBeNaN();
    expect(rssMB(2 ** 30)).toBeNaN();
    expect(runWaitSeconds(2 ** 30)).toBeNaN();
  });

  it("leaves our own processes out of the busy list", () => {
    const tracker = new BusyTracker(new Set([process.pid]), 50);
    spin(200);
    expect(tracker.stop(1000).map((b) => b.pid)).not.toContain(process.pid);
  });
});
