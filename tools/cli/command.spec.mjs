// @ts-check
import { describe, expect, it } from "vitest";
import { defineCommand, defineGroup, listFlag, numberFlag } from "./command.mjs";
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
    expect(usageError(() => cmd.parse(["--nope"])).message).toBe("Unknown option '--nope'.");
    expect(usageError(() => cmd.parse(["--policy"])).message).toMatch(/--policy/);
    const bad = usageError(() => cmd.parse(["--variant", "java"]));
    expect(bad.message).toBe('Unknown --variant "java".');
    expect(bad.fix).toMatch(/^Use --variant sdk or http\.\nUsage: /);
    expect(bad.exitCode).toBe(2);
    expect(usageError(() => cmd.parse(["--"])).message).toMatch(/Nothing after `--`/);
    const extra = usageError(() => cmd.parse(["extra"]));
    expect(extra.message).toBe('Unexpected argument "extra".');
    expect(extra.fix).toMatch(/^Put <app command> after `--`: -- extra …/);
  });

  it("a command without rest refuses --", () => {
    const plain = defineCommand({ usage: "x", flags: {} });
    expect(usageError(() => plain.parse(["--", "a"])).message).toMatch(/nothing after/);
  });

  it("help lists every flag of the table, its choices and default", () => {
    const h = cmd.help();
    expect(h.split("\n")[0]).toBe(
      "Usage: npx zx tools/demo.mjs lab [--variant sdk|http] [--policy <file>]... [--json] [-- <app command>]",
    );
    for (const name of Object.keys(cmd.spec.flags)) expect(h).toContain(`--${name}`);
    expect(h).toContain("--variant sdk|http");
    expect(h).toContain("(default: sdk)");
    expect(h).toContain("--policy <file>");
    expect(h).toMatch(/^ {2}-h, --help +this help$/m);
  });

  it("a required flag is asked for, and shown without brackets", () => {
    const d = defineCommand({
      usage: "driver",
      flags: { store: { type: "string", choices: ["redis", "http"], required: true, help: "what to drive" } },
    });
    expect(d.synopsis).toBe("Usage: driver --store redis|http");
    expect(usageError(() => d.parse([])).message).toBe("Missing --store: redis or http.");
    expect(d.parse(["--store", "http"]).values.store).toBe("http");
    expect(d.help()).toMatch(/what to drive \(required\)/);
  });

  it("a boolean is false and a repeatable flag [] when not given", () => {
    expect(cmd.parse([]).values).toEqual({ variant: "sdk", policy: [], json: false });
  });

  it("wraps long help lines under their column", () => {
    const long = defineCommand({ usage: "x", flags: { a: { type: "boolean", help: "word ".repeat(40).trim() } } });
    const lines = long
      .help()
      .split("\n")
      .filter((l) => l.includes("word"));
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(110);
    expect(lines[1]?.indexOf("word")).toBe(lines[0]?.indexOf("word"));
  });

  it("fail: a mistake found after parsing, its hint above the usage", () => {
    const err = cmd.fail("--policy a.yaml is not a file.", "Pass a resiliency YAML.");
    expect(err).toBeInstanceOf(UsageError);
    expect(err.fix).toMatch(/^Pass a resiliency YAML\.\nUsage: npx zx tools\/demo\.mjs lab/);
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

  it("positionals with choices, a default, or any number of them", () => {
    const c = defineCommand({
      usage: "services",
      flags: {},
      positionals: [{ name: "command", help: "what to do", choices: ["status", "stop"], default: "status" }],
    });
    expect(c.synopsis).toBe("Usage: services [status|stop]");
    expect(c.parse([]).positionals).toEqual(["status"]);
    const bad = usageError(() => c.parse(["start"]));
    expect(bad.message).toBe('Unknown command "start".');
    expect(bad.fix).toMatch(/^Use status or stop\./);
    const files = defineCommand({
      usage: "check",
      flags: { dir: { type: "string", help: "a folder" } },
      positionals: [{ name: "file", help: "files", variadic: true }],
    });
    expect(files.parse(["a", "--dir", "d", "b"])).toMatchObject({ positionals: ["a", "b"], values: { dir: "d" } });
    expect(files.parse([]).positionals).toEqual([]);
    expect(files.synopsis).toBe("Usage: check [<file>...] [--dir <value>]");
  });

  it("restOnly: every argument is passed on, -h/--help before any -- asks for help", () => {
    const t = defineCommand({ usage: "npm test --", flags: {}, rest: "<vitest args>", restOnly: true });
    expect(t.parse(["--project", "unit", "a.spec.mjs"])).toMatchObject({
      rest: ["--project", "unit", "a.spec.mjs"],
      help: false,
    });
    expect(t.parse(["--", "--project", "unit"]).rest).toEqual(["--project", "unit"]);
    expect(t.parse(["--project", "unit", "-h"]).help).toBe(true);
    expect(t.parse(["--", "-h"]).help).toBe(false);
    expect(t.synopsis).toBe("Usage: npm test -- [<vitest args>]");
  });
});

describe("defineGroup", () => {
  const g = defineGroup({
    usage: "npx zx tools/demo.mjs",
    commands: { walkthrough: { about: "the quickstart" }, compare: { about: "side by side" } },
  });
  it("picks a command and passes on its arguments", () => {
    expect(g.pick(["compare", "--quick", "-h"])).toEqual({ help: false, name: "compare", argv: ["--quick", "-h"] });
    expect(g.pick(["--help"])).toEqual({ help: true });
  });
  it("lists the commands in --help and refuses an unknown or missing one", () => {
    expect(g.help()).toMatch(/^ {2}walkthrough +the quickstart$/m);
    expect(g.help()).toMatch(/^ {2}compare +side by side$/m);
    expect(usageError(() => g.pick(["lab"])).message).toBe('Unknown command "lab".');
    expect(usageError(() => g.pick(["lab"])).fix).toMatch(/^Use walkthrough or compare\./);
    expect(usageError(() => g.pick([])).message).toBe("Which command? One of walkthrough or compare.");
  });
});

describe("listFlag", () => {
  it("splits, trims, keeps each once; with choices refuses others, naming them", () => {
    expect(listFlag(" http, sdk,http ,", "variants", { choices: ["sdk", "http", "grpc"] })).toEqual(["http", "sdk"]);
    expect(listFlag("24,26", "node")).toEqual(["24", "26"]);
    const bad = usageError(() => listFlag("sdk,rest", "variants", { choices: ["sdk", "http"] }));
    expect(bad.message).toBe('--variants: unknown "rest".');
    expect(bad.fix).toBe("Use any of sdk,http, comma-separated.");
    expect(usageError(() => listFlag(" , ", "variants")).message).toBe("--variants: none given.");
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
    expect(usageError(() => numberFlag("soon", "outage", { min: 1, max: 600, unit: "seconds" })).message).toBe(
      '--outage must be a number of seconds from 1 to 600, got "soon".',
    );
  });
});
