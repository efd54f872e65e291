// @ts-check
// Mistakes refused with a message naming the file, the line and the problem
// (or the port and the fix), before anything starts; a tool's bad arguments
// (every tool's --help and unknown flags: help.spec.mjs).
// No daprd needed.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { checkResources } from "./stack/resources.mjs";
import { ToolError } from "./cli/errors.mjs";
import { LocalRedis } from "./stack/redis.mjs";
import { RESOURCES, ROOT } from "./stack/paths.mjs";

/** @type {string[]} */
const dirs = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * A copy of resources/ with one file edited by `edit(text)`.
 * @param {string} file
 * @param {(text: string) => string} edit
 */
function brokenResources(file, edit) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-resources-"));
  dirs.push(dir);
  for (const f of fs.readdirSync(RESOURCES)) fs.copyFileSync(path.join(RESOURCES, f), path.join(dir, f));
  const before = fs.readFileSync(path.join(dir, file), "utf8");
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  fs.writeFileSync(path.join(dir, file), after);
  return dir;
}

/** @param {string} dir  @param {string} file  @param {string} needle */
const lineOf = (dir, file, needle) =>
  fs
    .readFileSync(path.join(dir, file), "utf8")
    .split("\n")
    .findIndex((l) => l.includes(needle)) + 1;

/**
 * @param {string} dir
 * @returns {ToolError} what checkResources threw
 */
function refusal(dir) {
  try {
    checkResources(dir);
  } catch (err) {
    if (err instanceof ToolError) return err;
    throw err;
  }
  throw new Error(`checkResources(${dir}) accepted it`);
}

describe("checkResources refuses malformed resources with file:line and the problem", () => {
  it("bad YAML (a mis-indented line in resiliency.yaml)", () => {
    const dir = brokenResources("resiliency.yaml", (t) => t.replace("        maxRetries: -1", "       maxRetries: -1"));
    const err = refusal(dir);
    expect(err).toBeInstanceOf(ToolError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      `${dir}/resiliency.yaml:${lineOf(dir, "resiliency.yaml", "maxRetries")}: invalid YAML: All mapping items must start at the same column`,
    );
    expect(err.fix).toMatch(/nothing was started/);
  });

  it("bad YAML in statestore.yaml (an unclosed [)", () => {
    const dir = brokenResources("statestore.yaml", (t) => t.replace("value: localhost:6379", "value: [localhost:6379"));
    const err = refusal(dir);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`^${dir}/statestore\\.yaml:\\d+: invalid YAML: .*\\]`));
  });

  it("a target referring to a policy that does not exist", () => {
    const dir = brokenResources("resiliency.yaml", (t) => t.replace("retry: retryForever", "retry: retryForevr"));
    const err = refusal(dir);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      `${dir}/resiliency.yaml:${lineOf(dir, "resiliency.yaml", "retry: retryForevr")}: target statestore refers to retry "retryForevr", which spec.policies.retries does not define (defined: retryForever)`,
    );
  });

  it("a circuit breaker referring to an unknown policy", () => {
    const dir = brokenResources("resiliency.yaml", (t) =>
      t.replace("circuitBreaker: simpleCB", "circuitBreaker: otherCB"),
    );
    expect(refusal(dir).message).toMatch(
      /resiliency\.yaml:\d+: target statestore refers to circuitBreaker "otherCB", which spec\.policies\.circuitBreakers does not define \(defined: simpleCB\)/,
    );
  });

  it("a duration written `5 seconds`", () => {
    const dir = brokenResources("resiliency.yaml", (t) => t.replace("duration: 5s", "duration: 5 seconds"));
    const err = refusal(dir);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      `${dir}/resiliency.yaml:${lineOf(dir, "resiliency.yaml", "5 seconds")}: \`spec.policies.retries.retryForever.duration: 5 seconds\` is not a duration; write it like 5s, 500ms or 1m30s`,
    );
  });

  it("a state store without redisHost", () => {
    const dir = brokenResources("statestore.yaml", (t) =>
      t.replace("    - name: redisHost\n      value: localhost:6379\n", ""),
    );
    expect(refusal(dir).message).toMatch(/statestore\.yaml:\d+: state\.redis needs a `redisHost` metadata item/);
  });

  it("a missing folder", () => {
    const err = refusal("/nonexistent/resources");
    expect(err.message).toBe("Resources folder /nonexistent/resources does not exist.");
    expect(err.exitCode).toBe(2);
  });

  it("the project's own resources pass", () => {
    expect(checkResources(RESOURCES).policy).toMatchObject({
      retryPolicy: "retryForever",
      breaker: "simpleCB",
      tripAfter: 5,
    });
  });
});

describe("a port already taken", () => {
  it("LocalRedis on a port something else listens on: ToolError naming the port and how to find the process", async () => {
    const other = net.createServer((sock) => sock.destroy()); // holds the port, answers nothing
    await new Promise((r) => other.listen(0, "127.0.0.1", () => r(undefined)));
    const { port } = /** @type {net.AddressInfo} */ (other.address());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-taken-"));
    dirs.push(dir);
    try {
      const err = await new LocalRedis({ port, dir }).start().then(
        () => undefined,
        (e) => e,
      );
      expect(err).toBeInstanceOf(ToolError);
      expect(err.message).toBe(`Port ${port} is taken by a Redis (or something else) this project did not start.`);
      expect(err.fix).toContain(`ss -ltnp 'sport = :${port}'`);
      expect(fs.existsSync(path.join(dir, "redis.pid"))).toBe(false); // nothing was started
    } finally {
      await new Promise((r) => other.close(() => r(undefined)));
    }
  });
});

// Each case starts a tool (zx and its imports: seconds on a loaded machine); a hang is cut at 30 s.
describe(
  "the tools refuse bad arguments before doing anything: exit 2, the problem and the usage",
  { timeout: 40_000 },
  () => {
    const ZX = path.join(ROOT, "node_modules/zx/build/cli.js");
    /** @type {[string, string[], string, string][]} */
    const cases = [
      ["readme.mjs", ["bogus"], '✖ Unknown action "bogus".', "Use check or update.\n  Usage: npx zx tools/readme.mjs"],
      ["readme.mjs", [], "✖ Missing <action>: check or update.", "Usage: npx zx tools/readme.mjs check|update"],
      ["readme.mjs", ["check", "update"], '✖ Unexpected argument "update".', "Usage: npx zx tools/readme.mjs"],
      [
        "readme.mjs",
        ["check", "--only", "nope"],
        '✖ Unknown --only "nope".',
        'Use --only "walkthrough sdk", http-app:dapr',
      ],
      ["readme.mjs", ["check", "--test-count", "5"], "✖ --test-count goes with update.", "Usage:"],
      [
        "readme.mjs",
        ["update", "--test-count", "many"],
        '✖ --test-count must be a whole number from 0 to 1000000, got "many".',
        "For example --test-count",
      ],
      ["test-node-lts.mjs", ["--node", "lts"], '✖ --node takes Node majors like 24,26, got "lts".', "Usage:"],
      ["test-node-lts.mjs", ["--node", ","], "✖ --node: none given.", "comma-separated"],
      ["services.mjs", ["start"], '✖ Unknown command "start".', "Use status or stop.\n  Usage: npm run services --"],
      ["setup.mjs", ["--", "--redis", "docker"], "✖ This command takes nothing after `--`.", "Usage: npm run setup --"],
      ["deploy-check.mjs", ["--dir"], "✖ Option '--dir <value>' argument missing", "Usage: npm run deploy:check --"],
    ];
    it.each(cases)("%s %j", (tool, args, first, hint) => {
      const r = spawnSync(process.execPath, [ZX, path.join(ROOT, "tools", tool), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: "1" },
      });
      expect(r.status, r.stderr).toBe(2);
      const err = r.stderr.trim();
      expect(err.split("\n")[0]).toContain(first);
      expect(err).toContain(hint);
      expect(err).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(r.stdout).toBe("");
    });
  },
);
