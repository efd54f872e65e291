// @ts-check
// How a daprd setting is judged against the default, on FAKE rounds (no daprd).
import { describe, expect, it } from "vitest";
import { SETTINGS, settingClient, settingsReading, versus } from "./settings.mjs";
import { fakeResult } from "./fake-result.mjs";
import { tables } from "./report.mjs";
import { markdown } from "./page.mjs";

/** FAKE rounds: calls/s as given, daprd µs per call inversely proportional. @param {number[]} cps */
const rounds = (cps) =>
  cps.map((c) => ({ callsPerSec: c, daprdUs: 6e5 / c, redisUs: 30, serverCoreUse: 0.9, saveP50: 1, getP50: 0.8 }));

/** A FAKE SettingResult from per-client rounds. @param {string} name @param {Record<string, number[]>} byClient @param {Record<string, number[]>} [base] */
function fakeSetting(name, byClient, base) {
  return {
    name,
    change: `${name} change`,
    caveat: SETTINGS.find((s) => s.name === name)?.caveat,
    daprdRssMB: 90,
    clients: Object.fromEntries(
      Object.entries(byClient).map(([c, cps]) => [
        c,
        settingClient(rounds(cps), base ? rounds(base[c] ?? []) : undefined),
      ]),
    ),
  };
}

describe("versus (fake rounds)", () => {
  it("pairs rounds, and calls a win beyond the spread only when the ranges do not overlap", () => {
    const v = versus(rounds([110, 120, 115]), rounds([100, 105, 108]));
    expect(v).toMatchObject({ rounds: 3, roundsFaster: 3, roundsCheaper: 3, beyondSpread: true });
    expect(v.callsPerSecChange).toBeCloseTo(115 / 105 - 1, 3);
    expect(v.daprdUsChange).toBeLessThan(0);
    const overlap = versus(rounds([110, 120, 104]), rounds([100, 105, 108]));
    expect(overlap).toMatchObject({ roundsFaster: 2, beyondSpread: false });
  });
  it("needs more than one round to call anything beyond the spread", () => {
    expect(versus(rounds([200]), rounds([100])).beyondSpread).toBe(false);
  });
});

describe("settingsReading", () => {
  const base = { ceiling: [100, 102, 101], http: [90, 91, 92] };
  it("recommends only a setting that wins beyond the spread on both clients and costs nothing", () => {
    const lines = settingsReading([
      fakeSetting("default", base),
      fakeSetting("poolSize 32", { ceiling: [120, 121, 119], http: [100, 101, 99] }, base),
      fakeSetting("minIdleConns 16", { ceiling: [120, 121, 119], http: [91, 93, 89] }, base),
      fakeSetting("metrics off", { ceiling: [140, 141, 139], http: [120, 121, 119] }, base),
    ]);
    expect(lines[0]).toMatch(/^\*\*poolSize 32\*\*: .*Wins beyond the spread on both clients\.$/);
    expect(lines[1]).toMatch(/No win beyond the spread: leave it\.$/);
    expect(lines[2]).toMatch(/Wins, but blinds the walkthrough's breaker check.*not recommended/);
  });
  it("puts the settings in the report's tables and page", () => {
    const result = /** @type {any} */ (fakeResult(false));
    result.plan = { ...result.plan, settingsRounds: 3, settingsMaxMs: 1500, settingsOpenMs: 1000 };
    result.settings = [
      fakeSetting("default", base),
      fakeSetting("poolSize 32", { ceiling: [120, 121, 119], http: [100, 101, 99] }, base),
    ];
    const t = tables(result);
    expect(t.settings).toContain(
      "| poolSize 32 | ceiling (raw keep-alive HTTP/1.1) | 120 (119–121) (+19 %) | 3 of 3; **yes** |",
    );
    const page = markdown(result, t);
    expect(page).toContain(
      "- **poolSize 32**: the HTTP ceiling +19 % calls/s (faster in 3 of 3 rounds, beyond the spread)",
    );
    expect(page).not.toMatch(/NaN|undefined/);
  });
});
