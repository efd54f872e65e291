// @ts-check
import { describe, expect, it } from "vitest";
import path from "node:path";
import { parseWalkthroughArgs } from "./args.mjs";
import { RESOURCES, ROOT } from "../../stack/paths.mjs";
import { UsageError } from "../../cli/errors.mjs";

describe("parseWalkthroughArgs", () => {
  it("defaults to the SDK variant and the machine's Redis", () => {
    expect(parseWalkthroughArgs([])).toMatchObject({
      variants: ["sdk"],
      redis: "auto",
      outageMs: undefined,
      json: false,
      resourcesDir: RESOURCES,
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
  it("takes another resources folder, resolved from the working directory", () => {
    expect(parseWalkthroughArgs(["--resources", path.relative(process.cwd(), RESOURCES) || "."]).resourcesDir).toBe(
      RESOURCES,
    );
    expect(parseWalkthroughArgs(["--resources", ROOT, "--", "go", "run", "."]).resourcesDir).toBe(ROOT);
  });
  it("takes a fault of the catalogue instead of the stop", () => {
    expect(parseWalkthroughArgs([]).fault).toBeUndefined();
    expect(parseWalkthroughArgs(["--fault", "hang"]).fault).toMatchObject({ name: "hang", via: "proxy" });
    expect(parseWalkthroughArgs(["--fault", "stop"]).fault).toMatchObject({ name: "stop", via: "direct" });
    expect(parseWalkthroughArgs(["--fault", "failover"]).fault).toMatchObject({ name: "failover", via: "cluster" });
    expect(parseWalkthroughArgs(["--fault", "reject"]).fault).toMatchObject({ name: "reject", via: "direct" });
  });
  it.each([
    [["--fault", "freeze"], /Unknown fault "freeze"/],
    [["--fault", "hang,slow"], /--fault takes one fault/],
    [["--variant", "java"], /Unknown --variant "java"/],
    [["--variant", "java", "--", "python3", "app.py"], /Unknown --variant "java"/],
    [["--redis", "podman"], /Unknown --redis "podman"/],
    [["--outage", "soon"], /--outage must be a number of seconds from 1 to 600, got "soon"/],
    [["--outage", "0"], /--outage must be a number of seconds/],
    [["--outage", "601"], /--outage must be a number of seconds from 1 to 600, got "601"/],
    [["--fast"], /Unknown option '--fast'/],
    [["extra"], /Unexpected argument "extra"/],
    [["--variant"], /argument missing/],
    [["--"], /Nothing after `--`/],
    [["--resources", "/no/such/dir"], /--resources "\/no\/such\/dir" is not a folder/],
    [["--resources", "README.md"], /--resources "README.md" is not a folder/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseWalkthroughArgs(argv)).toThrow(message);
    expect(() => parseWalkthroughArgs(argv)).toThrow(UsageError);
  });
  it("says how to fix a --resources that is not a folder, and the usage", () => {
    const err = (() => {
      try {
        parseWalkthroughArgs(["--resources", "/no/such/dir"]);
      } catch (e) {
        return /** @type {UsageError} */ (e);
      }
    })();
    expect(err?.fix).toMatch(/^Pass a folder holding statestore\.yaml and resiliency\.yaml/);
    expect(err?.fix).toContain("Usage: npx zx tools/demo.mjs walkthrough");
  });
});
