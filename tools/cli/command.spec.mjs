// @ts-check
import { describe, expect, it } from "vitest";
import { defineCommand, numberFlag } from "./command.mjs";
import { UsageError } from "./errors.mjs";

const cmd = defineCommand({
  usage: "npx zx tools/demo.mjs lab",
  about: "Policies against faults.",
  flags: {
    variant: { type: "string", choices: ["sdk", "http"], default: "sdk", help: "the app" },
    policy: { type: "string", multiple: true, value: "<file>", help: "a resiliency file" },
    json: { type: "boolean", help: "JSON on stdout" },
  },
  rest: "<app command>",
});

/** @param {() => unknown} fn */
const usageError = (fn) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return /** @type {UsageError} */ (err);
  }
  throw new Error("no UsageError");
};

describe("defineCommand", () => {
  it("parses flags, defaults, repeated flags and what follows --", () => {
    const p = cmd.parse(["--policy", "a.yaml", "--policy", "b.yaml", "--json", "--", "python3", "app.py", "--x"]);
    expect(p.values).toEqual({ variant: "sdk", policy: ["a.yaml", "b.yaml"], json: true });
    expect(p.rest).toEqual(["python3", "app.py", "--x"]);
    expect(p.help).toBe(false);
  });

  it("-h/--help before -- asks for help; after -- it is the app's", () => {
    expect(cmd.parse(["-h"]).help).toBe(true);
    expect(cmd.parse(["--", "app", "--help"]).help).toBe(false);
  });

  it("refuses unknown flags, missing values, bad choices and an empty --, with exit code 2", () => {
    expect(usageError(() => cmd.parse(["--nope"])).message).toMatch(/--nope/);
    expect(usageError(() => cmd.parse(["--policy"])).message).toMatch(/--policy/);
    const bad = usageError(() => cmd.parse(["--variant", "java"]));
    expect(bad.message).toBe('Unknown --variant "java".');
    expect(bad.fix).toMatch(/Valid: sdk, http\./);
    expect(bad.exitCode).toBe(2);
    expect(usageError(() => cmd.parse(["--"])).message).toMatch(/Nothing after `--`/);
    expect(usageError(() => cmd.parse(["extra"])).message).toMatch(/extra/);
  });

  it("a command without rest refuses --", () => {
    const plain = defineCommand({ usage: "x", flags: {} });
    expect(usageError(() => plain.parse(["--", "a"])).message).toMatch(/nothing after/);
  });

  it("help lists every flag of the table, its choices and default", () => {
    const h = cmd.help();
    expect(h.split("\n")[0]).toBe("Usage: npx zx tools/demo.mjs lab [options] [-- <app command>]");
    for (const name of Object.keys(cmd.spec.flags)) expect(h).toContain(`--${name}`);
    expect(h).toContain("--variant sdk|http");
    expect(h).toContain("(default: sdk)");
    expect(h).toContain("--policy <file>");
  });

  it("positionals: required ones are asked for, extra ones refused", () => {
    const c = defineCommand({
      usage: "readme",
      flags: {},
      positionals: [{ name: "action", help: "check or update", required: true }],
    });
    expect(c.parse(["check"]).positionals).toEqual(["check"]);
    expect(usageError(() => c.parse([])).message).toBe("Missing <action>: check or update.");
    expect(usageError(() => c.parse(["a", "b"])).message).toMatch(/"b"/);
  });
});

describe("numberFlag", () => {
  it("accepts a number in range and refuses anything else, naming the flag", () => {
    expect(numberFlag("2.5", "outage", { min: 1, max: 600 })).toBe(2.5);
    expect(numberFlag(undefined, "outage", { min: 1, max: 600 })).toBeUndefined();
    expect(usageError(() => numberFlag("0", "outage", { min: 1, max: 600 })).message).toBe(
      '--outage must be a number from 1 to 600, got "0".',
    );
    expect(usageError(() => numberFlag("1.5", "rounds", { min: 1, max: 9, integer: true })).message).toMatch(/whole/);
    expect(usageError(() => numberFlag("", "rounds", { min: 1, max: 9 })).message).toMatch(/got ""/);
  });
});
