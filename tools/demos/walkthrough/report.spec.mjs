// @ts-check
// The verdict table and the stop judgement, from results built by hand.
import { describe, expect, it } from "vitest";
import { formatVerdict, readRows, rowDifferences } from "./report.mjs";
import { liveLine } from "./verdict.mjs";
import { judgeStop, STOP_GRACE_MS } from "./judge.mjs";

const strip = (/** @type {string} */ s) => s.replace(/\x1b\[[0-9;]*m/g, ""); // eslint-disable-line no-control-regex

/** @returns {import("./types.mjs").WalkResult} */
function result(names = ["orders flow: three orders saved", "daprd retries the failed state call"]) {
  return {
    variant: "python3 app.py",
    ok: false,
    expectations: names.map((name, i) => ({ name, ok: i !== 1, detail: i === 1 ? "not seen" : "", at: i || 4.2 })),
    timeline: { redisDown: 5 },
    orders: {
      before: 3,
      during: 0,
      after: 3,
      first: 1,
      last: 6,
      readBack: 6,
      deleted: 5,
      lost: 0,
      repeated: 0,
      skipped: 0,
    },
    exit: undefined,
    policy: /** @type {any} */ ({}),
  };
}

describe("formatVerdict", () => {
  it("lists every row the live stream printed, in order, the missing ones with why", () => {
    const names = Array.from({ length: 12 }, (_, i) => `check number ${i + 1}`);
    const table = strip(formatVerdict(result(names))).split("\n");
    const rows = table.filter((l) => /^ {2}[✔✘] (met|missing)/.test(l));
    expect(rows).toHaveLength(12);
    names.forEach((n, i) => expect(rows[i]).toContain(n));
    expect(rows[0]).toMatch(/✔ met\s+check number 1\s+at 4\.2 s$/);
    expect(rows[1]).toMatch(/✘ missing\s+check number 2\s+at 1\.0 s \(not seen\)$/);
  });
  it("tells the orders the app deleted from the ones the store lost", () => {
    const text = strip(formatVerdict(result()));
    expect(text).toContain("(ids 1..6); 5 deleted by the app (it said so; not lost); lost 0, repeated 0, skipped 0");
    expect(text).toContain("Redis down 5.0 s → first retry —");
  });
});

describe("readRows", () => {
  it("reads the live rows and the table's back, so a test can hold one against the other", () => {
    const r = result(["orders flow: three orders saved", "daprd retries the failed state call", "no order repeated"]);
    const live = r.expectations.map((x) => `[0012] walkthrough ${liveLine(x)}`).join("\n");
    const rows = readRows(`${live}\n\nVerdict for x: FAIL\n${formatVerdict(r)}\n`);
    expect(rows.table).toEqual([
      "✔ orders flow: three orders saved",
      "✘ daprd retries the failed state call",
      "✔ no order repeated",
    ]);
    expect(rows.live).toEqual([
      "✔ orders flow: three orders saved",
      "✘ daprd retries the failed state call (not seen)",
      "✔ no order repeated",
    ]);
    expect(rowDifferences(rows)).toEqual([]);
  });
  it("names a row the table lacks, and a row that differs", () => {
    const live = ["✔ orders flow (ids 1, 2, 3)", "✔ circuit breaker goes half-open → open (trial call failed)"];
    expect(rowDifferences({ live, table: ["✔ orders flow"] })).toEqual([
      'row 2: live "✔ circuit breaker goes half-open → open (trial call failed)", table undefined',
    ]);
    expect(rowDifferences({ live: live.slice(0, 1), table: ["✘ orders flow"] })).toHaveLength(1);
  });
});

describe("judgeStop", () => {
  const audit = /** @type {import("../../stack/recorder.mjs").OrderAudit} */ ({ lost: 0 });
  const stop = { sigtermAt: 50 };
  it("an app ended by SIGTERM's default action within the grace period, nothing lost, stopped cleanly", () => {
    const j = judgeStop({ signal: "SIGTERM", code: null, at: 50.2 }, stop, audit);
    expect(j.ok).toBe(true);
    expect(j.detail).toBe(
      `ended by SIGTERM (its default action: no handler), 0.2 s after SIGTERM (grace ${STOP_GRACE_MS / 1000} s), nothing it reported lost`,
    );
  });
  it("names the exit code of an app that handles SIGTERM", () => {
    expect(judgeStop({ code: 0, signal: null, at: 51 }, stop, audit)).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^exit code 0, 1\.0 s after SIGTERM/),
    });
  });
  it("is not clean when the app lost orders, outlived the grace period, or ended before SIGTERM", () => {
    const lost = /** @type {import("../../stack/recorder.mjs").OrderAudit} */ ({ lost: 2 });
    expect(judgeStop({ signal: "SIGTERM", at: 50.1 }, stop, lost)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("but lost 2 order(s) it reported saved"),
    });
    expect(judgeStop({ signal: "SIGKILL", at: 55.1 }, stop, audit)).toMatchObject({
      ok: false,
      detail: "still running 5 s after SIGTERM: killed with SIGKILL",
    });
    expect(judgeStop({ code: 1, signal: null, at: 20 }, stop, audit)).toMatchObject({
      ok: false,
      detail: "the app ended by itself at 20.0 s with exit code 1, before SIGTERM",
    });
    expect(judgeStop(undefined, stop, audit).ok).toBe(false);
  });
});
