// @ts-check
// The attempts the lab reads from Redis's MONITOR, and the app's failed calls, on data made up here.
import { describe, expect, it } from "vitest";
import { readAttempts } from "./attempts.mjs";
import { measureCell } from "./measure.mjs";

/** One order's writes: `bursts` daprd attempts `every` s apart, each `per` writes 0.51 s apart (the client's retries). */
function writes(key = "order-processor||7", { bursts = 3, every = 5, per = 4, from = 0.5 } = {}) {
  const out = [];
  for (let b = 0; b < bursts; b++)
    for (let i = 0; i < per; i++) out.push({ at: from + b * (every + (per - 1) * 0.51) + i * 0.51, key });
  return out;
}

describe("readAttempts", () => {
  it("tells the client's retries inside an attempt from daprd's retry interval between attempts", () => {
    const a = readAttempts(writes(), 0, 20);
    expect(a.writes).toBe(12);
    expect(a.bursts).toBe(3);
    expect(a.inBurstGapS).toBe(0.51);
    expect(a.burstGapS).toBe(5);
    expect(a.gaps).toEqual([
      { s: 0.5, n: 9 },
      { s: 5, n: 2 },
    ]);
  });

  it("one write per attempt when the client does not retry; keys apart; only the window counts", () => {
    const a = readAttempts([...writes("k1", { per: 1 }), { at: 30, key: "k1" }, { at: 2, key: "k2" }], 0, 20);
    expect(a.writes).toBe(4);
    expect(a.keys).toBe(2);
    expect(a.bursts).toBe(4);
    expect(a.inBurstGapS).toBeNull();
    expect(a.burstGapS).toBe(5);
  });

  it("nothing written: zeros, no gaps", () => {
    expect(readAttempts([], 0, 10)).toEqual({
      writes: 0,
      keys: 0,
      bursts: 0,
      gaps: [],
      inBurstGapS: null,
      burstGapS: null,
    });
  });
});

describe("the app's failed calls", () => {
  /** @param {{ at: number, line: string }[]} lines */
  const run = (lines) =>
    measureCell(
      /** @type {any} */ ({
        policy: "no-retries",
        fault: "reject",
        faultMs: 10_000,
        events: lines.map((l) => ({ source: "app", stream: "stderr", ...l })),
        marks: { ready: 0, baseline: 1, faultOn: 4, clearing: 14, faultOff: 14, end: 16 },
        commands: { baseline: null, faultOn: null, faultOff: null, end: null },
        restartedRedis: false,
        metrics: [],
        audit: { lost: 0, repeated: [], skipped: [] },
        breakerName: undefined,
        error: undefined,
        writes: writes("k", { from: 4.5, per: 4, every: 1, bursts: 2 }),
      }),
    );

  it("count once per call when the order loop reports it, though the SDK logs an ERROR line beside it", () => {
    const r = run([
      { at: 5, line: "2026-12-01T13:09:32.953Z ERROR [HTTPClient, State] Error saving state to store statestore" },
      { at: 5, line: "sdk-app: Save of order 7 failed: daprd answered 500 …; retrying the same order in 1000 ms" },
      { at: 7, line: "2026-12-01T13:09:35.507Z ERROR [HTTPClient, State] Error saving state to store statestore" },
      { at: 7, line: "sdk-app: Save of order 7 failed: daprd answered 500 …; retrying the same order in 1000 ms" },
    ]);
    expect(r.appErrors).toBe(2);
    expect(r.firstErrorS).toBe(1);
    expect(r.attempts?.writes).toBe(8); // 4 attempts at Redis for each call the app saw fail
  });

  it("any other app: every error line counts", () => {
    expect(
      run([
        { at: 5, line: "error: 500" },
        { at: 6, line: "request failed" },
      ]).appErrors,
    ).toBe(2);
  });
});
