// @ts-check
// checkResources on resiliency files with one mistake each that daprd 1.18.2 would either refuse
// ("Could not read resiliency policy", the policy dropped) or accept and never apply.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RESOURCES } from "./paths.mjs";
import { checkResources } from "./resources.mjs";
import { goDuration } from "./resiliency-check.mjs";

/** @type {string[]} */
const dirs = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The repo's resources with one edit to resiliency.yaml; returns what checkResources threw. @param {(t: string) => string} edit */
function refusal(edit) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "resiliency-check-"));
  dirs.push(dir);
  fs.copyFileSync(path.join(RESOURCES, "statestore.yaml"), path.join(dir, "statestore.yaml"));
  const seed = fs.readFileSync(path.join(RESOURCES, "resiliency.yaml"), "utf8");
  const text = edit(seed);
  expect(text).not.toBe(seed);
  fs.writeFileSync(path.join(dir, "resiliency.yaml"), text);
  try {
    checkResources(dir);
  } catch (err) {
    const e = /** @type {import("../cli/errors.mjs").ToolError} */ (err);
    expect(e.exitCode).toBe(2);
    return e.message.replace(`${dir}/`, "");
  }
  throw new Error("accepted");
}
const trip = (/** @type {string} */ t) => (/** @type {string} */ s) =>
  s.replace("trip: consecutiveFailures >= 5", `trip: ${t}`);

describe("checkResources: every field daprd parses", () => {
  it.each([
    [
      "the issue's cut trip",
      trip("consecutiveFailures >="),
      /^resiliency\.yaml:21: .*trip `consecutiveFailures >=` is not a valid CEL expression \(Unexpected token: EOF\); daprd would drop the whole policy/,
    ],
    [
      "a trip variable daprd does not give",
      trip("consecutiveFailure >= 5"),
      /:21: .*uses `consecutiveFailure`, which daprd does not give it .*use requests, totalSuccesses, totalFailures, consecutiveSuccesses, consecutiveFailures$/,
    ],
    ["a trip that is not true or false", trip("consecutiveFailures + 5"), /:21: .*gives int, not true or false/],
    [
      "a trip that fails when evaluated",
      trip("consecutiveFailures > '5'"),
      /:21: .*fails when daprd evaluates it \(no such overload/,
    ],
    [
      "a duration Go does not parse",
      (s) => s.replace("timeout: 5s", "timeout: 5sec"),
      /:20: `spec\.policies\.circuitBreakers\.simpleCB\.timeout: 5sec` is not a duration/,
    ],
    [
      "a duration as a YAML number",
      (s) => s.replace("timeout: 5s", "timeout: 5"),
      /:20: .* must be a quoted string \("5ms"/,
    ],
    [
      "a retry policy kind",
      (s) => s.replace("policy: constant", "policy: linear"),
      /:14: retry policy "retryForever" has policy "linear"; use constant or exponential/,
    ],
    [
      "a misspelt field",
      (s) => s.replace("maxRetries: -1", "maxRetry: -1"),
      /:16: `maxRetry` is not a field of retry policy "retryForever"; daprd ignores it/,
    ],
    [
      "matching codes out of range",
      (s) => s.replace("maxRetries: -1", "maxRetries: -1\n        matching:\n          httpStatusCodes: 500,700"),
      /:18: "700" is not a code or a range of codes from 100 to 599/,
    ],
    [
      "a target naming no policy",
      (s) => s.replace("circuitBreaker: simpleCB", "circuitBreaker: simpleCb"),
      /:27: target statestore refers to circuitBreaker "simpleCb", which spec\.policies\.circuitBreakers does not define \(defined: simpleCB\)/,
    ],
    [
      "a timeout written as a duration in a target",
      (s) => s.replace("circuitBreaker: simpleCB", "circuitBreaker: simpleCB\n          timeout: 5s"),
      /:28: .*daprd takes a timeout's name here, not a duration/,
    ],
  ])("%s", (_what, edit, message) => {
    expect(refusal(edit)).toMatch(message);
  });

  it("accepts what daprd accepts: other trip variables, cross-type numbers, a case-insensitive kind, no kind", () => {
    for (const t of [
      "totalFailures >= 3 && requests > 5",
      "double(totalFailures) / double(requests) > 0.5",
      "consecutiveFailures >= 2.5",
    ])
      expect(() => refusal((s) => trip(t)(s).replace("# The policies", "#  The policies"))).toThrow("accepted");
    expect(() => refusal((s) => s.replace("policy: constant", "policy: Constant"))).toThrow("accepted");
    expect(() => refusal((s) => s.replace("        policy: constant\n", ""))).toThrow("accepted");
  });

  it.each([
    ["5s", 5000],
    ["500", 500], // a bare number: milliseconds
    ["1m30s", 90000],
    [".5s", 500],
    ["1.5h", 5_400_000],
    ["-1s", -1000],
    ["0", 0],
    ["5", 5],
    ["2µs", 0.002],
    ["5 s", undefined],
    ["5", 5],
    ["s", undefined],
    ["1d", undefined],
  ])("goDuration(%j) = %s ms", (text, ms) => {
    expect(goDuration(text)).toBe(ms);
  });
});
