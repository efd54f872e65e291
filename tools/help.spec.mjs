// @ts-check
// Help cannot drift from the flags: every tool's --help is its command table's
// help (each flag of the table in it), -h and --help exit 0 with it on stdout
// and start nothing, and an unknown flag exits 2 naming it. The tools run as
// the user runs them, as child processes, with an empty HOME and state folder
// (anything a tool set up would land there).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./stack/paths.mjs";
import { DEMOS, group } from "./demo.mjs";

const ZX = path.join(ROOT, "node_modules/zx/build/cli.js");
const home = fs.mkdtempSync(path.join(os.tmpdir(), "help-home-"));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** @param {string[]} args  the command after `node` */
function run(args) {
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, HOME: home, DAPR_RESILIENCY_HOME: path.join(home, "state"), NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * @typedef {object} Tool
 * @property {string} name      as the test names it
 * @property {string[]} argv    how it is run, before its own arguments
 * @property {import("./cli/command.mjs").Command} command
 */

/** The entry points at the top of tools/, each with its runner (package.json's scripts). */
const TOP = {
  "setup.mjs": ZX,
  "run.mjs": ZX,
  "services.mjs": ZX,
  "readme.mjs": ZX,
  "test.mjs": ZX,
  "test-node-lts.mjs": ZX,
  "deploy-check.mjs": undefined,
  "images.mjs": ZX,
};

/** The benchmarks and compare's load driver, run with node. */
const BENCH = ["abandoned-call.mjs", "attempt-timing.mjs", "clients.mjs", "long-outage.mjs", "lib/driver.mjs"];

/** @type {Tool[]} */
const tools = [];
for (const [file, runner] of Object.entries(TOP)) {
  const { command } = await import(`./${file}`);
  tools.push({ name: file, argv: [...(runner ? [runner] : []), `tools/${file}`], command });
}
for (const file of BENCH) {
  const { command } = await import(`./bench/${file}`);
  tools.push({ name: `bench/${file}`, argv: [`tools/bench/${file}`], command });
}
for (const [name, d] of Object.entries(DEMOS)) {
  tools.push({ name: `demo.mjs ${name}`, argv: [ZX, "tools/demo.mjs", name], command: (await d.args()).command });
}

// bootstrap.mjs takes no arguments, and must run on any Node to say that it is too old: it imports nothing.
it("every entry point at the top of tools/ and every benchmark is in this test", () => {
  const entries = fs
    .readdirSync(path.join(ROOT, "tools"))
    .filter((f) => f.endsWith(".mjs") && !f.includes(".spec.") && !["vitest.config.mjs", "bootstrap.mjs"].includes(f));
  expect(entries.sort()).toEqual([...Object.keys(TOP), "demo.mjs"].sort());
  const benches = fs.readdirSync(path.join(ROOT, "tools/bench")).filter((f) => f.endsWith(".mjs"));
  expect(benches.map((f) => f).sort()).toEqual(BENCH.filter((f) => !f.includes("/")).sort());
});

// Each test starts a tool (zx and its imports: seconds on a loaded machine); a hang is cut at 30 s.
describe("demo.mjs --help lists every command of its table", { timeout: 40_000 }, () => {
  for (const flag of ["--help", "-h"]) {
    it(flag, () => {
      const r = run([ZX, "tools/demo.mjs", flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${group.help()}\n`);
      for (const name of Object.keys(DEMOS)) expect(r.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, "m"));
      expect(r.stderr).toBe("");
    });
  }
  it("an unknown command: exit 2, named, with the commands", () => {
    const r = run([ZX, "tools/demo.mjs", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('✖ Unknown command "--bogus".');
    expect(r.stderr).toContain(`Use ${Object.keys(DEMOS).slice(0, -1).join(", ")} or`);
  });
});

describe.each(tools)("$name", { timeout: 40_000 }, ({ argv, command }) => {
  it("--help prints its table's help on stdout, every flag in it, and exits 0 having started nothing", () => {
    const r = run([...argv, "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${command.help()}\n`);
    expect(r.stdout.split("\n")[0]).toMatch(/^Usage: /);
    for (const [name, f] of Object.entries(command.spec.flags)) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}${f.short ? `-${f.short}, ` : ""}--${name}\\b`, "m"));
    }
    expect(r.stdout).toMatch(/^ {2}-h, --help +this help$/m);
    expect(r.stderr).toBe("");
    expect(fs.readdirSync(home)).toEqual([]);
  });
  it("-h is the same", () => {
    const r = run([...argv, "-h"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${command.help()}\n`);
  });
  it("an unknown flag exits 2 naming it, with the usage, no stack trace (npm test: passed on to vitest)", () => {
    // npm test's arguments are vitest's (restOnly): its unknown flags go to vitest unchanged.
    if (command.spec.restOnly)
      return expect(command.parse(["--no-such-flag", "x"]).rest).toEqual(["--no-such-flag", "x"]);
    const r = run([...argv, "--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")[0]).toBe("✖ Unknown option '--no-such-flag'.");
    expect(r.stderr).toContain(command.synopsis.split("\n")[0]);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(r.stdout).toBe("");
  });
});
