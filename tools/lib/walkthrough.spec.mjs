import { describe, expect, it } from "vitest";
import { parseWalkthroughArgs, patterns } from "./walkthrough.mjs";

describe("parseWalkthroughArgs", () => {
  it("defaults to the SDK variant and the machine's Redis", () => {
    expect(parseWalkthroughArgs([])).toMatchObject({
      variants: ["sdk"],
      redis: "auto",
      outageMs: undefined,
      json: false,
    });
  });
  it("takes all variants, an outage and an app command after --", () => {
    expect(parseWalkthroughArgs(["--variant", "all", "--outage", "40"])).toMatchObject({
      variants: ["sdk", "http", "grpc"],
      outageMs: 40_000,
    });
    expect(parseWalkthroughArgs(["--", "python3", "app.py"])).toMatchObject({
      variants: ["custom"],
      command: ["python3", "app.py"],
    });
  });
  it.each([
    [["--variant", "java"], /Unknown --variant "java"/],
    [["--redis", "podman"], /Unknown --redis "podman"/],
    [["--outage", "soon"], /--outage must be a number of seconds from 1 to 600, got "soon"/],
    [["--outage", "0"], /--outage must be a number of seconds/],
    [["--fast"], /Unknown option '--fast'/],
    [["--variant"], /argument missing/],
    [["--"], /Nothing after `--`/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseWalkthroughArgs(argv)).toThrow(message);
  });
});

describe("daprd line patterns", () => {
  const p = patterns("statestore", "simpleCB-statestore");
  it("match the lines daprd 1.18 prints, and the seed's older wording", () => {
    expect(p.retry.test("Error processing operation component[statestore] output. Retrying in 5s…")).toBe(true);
    expect(p.retry.test("Error processing operation component[statestore] output. Retrying...")).toBe(true);
    expect(
      p.transition.exec('Circuit breaker "simpleCB-statestore" changed state from closed to open')?.slice(1),
    ).toEqual(["closed", "open"]);
    expect(
      p.transition.exec('Circuit breaker "simpleCB-statestore" changed state from half-open to open')?.slice(1),
    ).toEqual(["half-open", "open"]);
    expect(p.recovered.exec("Recovered processing operation component[statestore] output after 7 attempts")?.[1]).toBe(
      "7",
    );
    expect(p.recovered.test("Recovered processing operation component[statestore] output.")).toBe(true);
  });
  it("do not match other components or breakers", () => {
    expect(p.retry.test("Error processing operation component[pubsub] output. Retrying in 5s…")).toBe(false);
    expect(p.transition.test('Circuit breaker "otherCB-statestore" changed state from closed to open')).toBe(false);
  });
});
