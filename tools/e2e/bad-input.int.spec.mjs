// @ts-check
// Mistakes at the command line, in the resources and in the apps' environment:
// each gets a clear message and a non-zero exit, never a stack trace or a
// hang. The tools and apps run as the user runs them, as child processes.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, RESOURCES, VARIANTS, VARIANT_NAMES } from "../stack/paths.mjs";
import { ownRedis } from "./support/test-support.mjs";
import { startSidecar } from "../stack/sidecar.mjs";
import { writeRunResources } from "../stack/resources.mjs";
import { ToolError } from "../cli/errors.mjs";
import { withRedisClient } from "../stack/redis.mjs";

const ZX = path.join(ROOT, "node_modules/zx/build/cli.js");
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

/**
 * Runs a command to its end (killed after timeoutMs: a hang fails the test).
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, ms: number, hung: boolean }>}
 */
function run(args, { env = process.env, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(args[0] ?? "", args.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, hung: signal === "SIGKILL" });
    });
  });
}
/** @param {string} script  @param {string[]} args  @param {Parameters<typeof run>[1]} [opts] */
const zx = (script, args, opts) => run([process.execPath, ZX, path.join(ROOT, "tools", script), ...args], opts);
/** @param {string} s */
const plain = (s) => stripVTControlCharacters(s);

/** @type {(() => unknown)[]} */
const cleanups = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
/** @param {string} prefix */
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
/** @param {string} file  @param {(text: string) => string} edit */
function brokenResources(file, edit) {
  const dir = tempDir("bad-resources-");
  for (const f of fs.readdirSync(RESOURCES)) fs.copyFileSync(path.join(RESOURCES, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, file), edit(fs.readFileSync(path.join(dir, file), "utf8")));
  return dir;
}

describe("zx tools/run.mjs refuses malformed resources before starting anything (exit 2, file:line)", () => {
  /** @type {[string, string, (t: string) => string, RegExp][]} */
  const cases = [
    [
      "bad YAML",
      "resiliency.yaml",
      (t) => t.replace("        maxRetries: -1", "       maxRetries: -1"),
      /resiliency\.yaml:16: invalid YAML: All mapping items must start at the same column/,
    ],
    [
      "a target naming an unknown policy",
      "resiliency.yaml",
      (t) => t.replace("retry: retryForever", "retry: retryForevr"),
      /resiliency\.yaml:\d+: target statestore refers to retry "retryForevr", which spec\.policies\.retries does not define \(defined: retryForever\)/,
    ],
    [
      "duration `5 seconds`",
      "resiliency.yaml",
      (t) => t.replace("duration: 5s", "duration: 5 seconds"),
      /resiliency\.yaml:\d+: `spec\.policies\.retries\.retryForever\.duration: 5 seconds` is not a duration; write it like 5s, 500ms or 1m30s/,
    ],
    [
      "bad YAML in statestore.yaml",
      "statestore.yaml",
      (t) => t.replace("value: localhost:6379", "value: [localhost:6379"),
      /statestore\.yaml:\d+: invalid YAML: /,
    ],
  ];
  it.each(cases)("%s", async (_, file, edit, message) => {
    const dir = brokenResources(file, edit);
    const r = await zx("run.mjs", ["sdk", "--resources", dir]);
    const err = plain(r.stderr);
    expect(r.code, err).toBe(2);
    expect(err.trim().split("\n")[0]).toMatch(new RegExp(`^✖ ${dir}/${message.source}`));
    expect(err).toContain("Fix the file and run the command again; nothing was started.");
    expect(plain(r.stdout + err)).not.toMatch(
      /daprd ready|started (redis|placement|scheduler)|built the apps|using the Redis/,
    );
    expect(err).not.toMatch(STACK);
  });

  it("a --resources folder that does not exist", async () => {
    const r = await zx("run.mjs", ["http", "--resources", "/nonexistent/resources"]);
    expect(r.code).toBe(2);
    expect(plain(r.stderr)).toMatch(
      /✖ Resources folder \/nonexistent\/resources does not exist\.\n {2}Pass an existing folder with --resources\./,
    );
  });
});

describe("zx tools/run.mjs and tools/setup.mjs: usage mistakes exit 2 with the usage", () => {
  const USAGE = "Usage: zx tools/run.mjs sdk|http|grpc [--verbose] [--redis auto|docker|local] [--resources <dir>]";
  it.each([
    ["unknown variant", ["java"], '✖ Unknown variant "java".', "Use sdk, http or grpc."],
    ["no variant", [], "✖ Missing <variant>: sdk, http or grpc.", "--help lists the options"],
    ["an app flag before --", ["sdk", "4"], '✖ Unexpected argument "4".', "Put <app flags> after `--`: -- 4 …"],
    ["unknown flag", ["sdk", "--bogus"], "✖ Unknown option '--bogus'.", "--help lists the options"],
    ["missing value", ["sdk", "--redis"], "✖ Option '--redis <value>' argument missing", "--help lists the options"],
    [
      "missing value for --resources",
      ["grpc", "--resources"],
      "✖ Option '--resources <value>' argument missing",
      "--help lists the options",
    ],
    [
      "an unknown --redis kind",
      ["sdk", "--redis", "cloud"],
      '✖ Unknown --redis "cloud".',
      "Use --redis auto, docker or local.",
    ],
    ["nothing after --", ["sdk", "--"], "✖ Nothing after `--`: give <app flags>.", "--help lists the options"],
  ])("run.mjs: %s", async (_, args, first, hint) => {
    const r = await zx("run.mjs", args);
    const err = plain(r.stderr).trim();
    expect(r.code, err).toBe(2);
    expect(err.split("\n")[0]).toBe(first);
    expect(err).toContain(hint);
    expect(err).toContain(USAGE);
    expect(err).not.toMatch(STACK);
    expect(plain(r.stdout + err)).not.toMatch(/daprd ready|started (redis|placement|scheduler)|built the apps/);
    expect(r.ms).toBeLessThan(15_000);
  });

  it("setup.mjs: unknown flag", async () => {
    const r = await zx("setup.mjs", ["--bogus"]);
    expect(r.code).toBe(2);
    expect(plain(r.stderr).trim()).toBe(
      "✖ Unknown option '--bogus'.\n  Usage: npm run setup -- [--redis auto|docker|local]\n  (--help lists the options)",
    );
  });
});

describe("the apps refuse a bad environment or flag: exit 2, one clear line, no stack trace", () => {
  /** @type {[string, Record<string, string>, string[], string][]} */
  const cases = [
    [
      "DAPR_HTTP_PORT=abc",
      { DAPR_HTTP_PORT: "abc" },
      [],
      'DAPR_HTTP_PORT must be a whole number from 1 to 65535, got "abc"',
    ],
    ["DAPR_GRPC_PORT=70000", { DAPR_GRPC_PORT: "70000" }, [], "DAPR_GRPC_PORT must be from 1 to 65535, got 70000"],
    [
      "ORDER_COUNT=-1",
      { ORDER_COUNT: "-1" },
      [],
      'ORDER_COUNT must be a whole number from 1 to 9007199254740991, got "-1"',
    ],
    ["--count=-1", {}, ["--count=-1"], '--count must be a whole number from 1 to 9007199254740991, got "-1"'],
    [
      "ORDER_CALL_TIMEOUT_MS=0",
      { ORDER_CALL_TIMEOUT_MS: "0" },
      [],
      "ORDER_CALL_TIMEOUT_MS must be from 1 to 9007199254740991, got 0",
    ],
    [
      "STATE_CONSISTENCY=linearizable",
      { STATE_CONSISTENCY: "linearizable" },
      [],
      'STATE_CONSISTENCY must be "strong" or "eventual", got "linearizable"',
    ],
    ["--consistency=high", {}, ["--consistency=high"], '--consistency must be "strong" or "eventual", got "high"'],
  ];
  for (const variant of VARIANT_NAMES) {
    it.each(cases)(`${variant}-app: %s`, async (_, env, args, message) => {
      const r = await run([process.execPath, VARIANTS[variant].main, ...args], {
        env: { ...process.env, ...env },
        timeoutMs: 15_000,
      });
      expect(r.hung).toBe(false);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${variant}-app: ${message}\n`);
      expect(r.stdout).toBe("");
    });

    it(`${variant}-app: --count -1 (a value starting with a dash)`, async () => {
      const r = await run([process.execPath, VARIANTS[variant].main, "--count", "-1"], { timeoutMs: 15_000 });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines[0]).toBe(`${variant}-app: Option '--count' argument is ambiguous.`);
      expect(r.stderr).toContain("To specify an option argument starting with a dash use '--count=-XYZ'.");
      expect(r.stderr).toContain("Usage: order-processor [--count N]");
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stdout).toBe("");
    });

    it(`${variant}-app: an unknown flag`, async () => {
      const r = await run([process.execPath, VARIANTS[variant].main, "--orders", "3"], { timeoutMs: 15_000 });
      expect(r.code).toBe(2);
      expect(r.stderr.split("\n")[0]).toBe(`${variant}-app: Unknown option '--orders'`);
      expect(r.stderr).not.toMatch(STACK);
    });
  }

  it("sdk-app: DAPR_PROTOCOL=soap", async () => {
    const r = await run([process.execPath, VARIANTS.sdk.main], {
      env: { ...process.env, DAPR_PROTOCOL: "soap" },
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sdk-app: DAPR_PROTOCOL must be "http" or "grpc", got "soap"\n');
  });
});

describe("missing Dapr", () => {
  it("setup.mjs with an empty HOME and no dapr or go on PATH: names what is missing and how to fix it, exit 1", async () => {
    const PATH = "/usr/bin:/bin";
    for (const bin of ["dapr", "go"])
      for (const d of PATH.split(":")) expect(fs.existsSync(path.join(d, bin)), `${d}/${bin} exists`).toBe(false);
    const home = tempDir("empty-home-");
    // env holds only HOME and PATH: no DAPR_RESILIENCY_HOME or anything else from this machine
    const r = await run([process.execPath, ZX, path.join(ROOT, "tools/setup.mjs")], {
      env: { HOME: home, PATH },
      timeoutMs: 60_000,
    });
    const err = plain(r.stderr).trim();
    expect(r.code, err).toBe(1);
    // setup also looks for the CLI where it installs it (/usr/local/bin), PATH or not
    const cli = fs.existsSync("/usr/local/bin/dapr") ? "" : "the dapr CLI on PATH; ";
    expect(err).toBe(
      `✖ Dapr is not installed here (missing: ${cli}daprd, placement, scheduler in ${home}/.dapr/bin), and Go is not there to build it.\n` +
        "  Either install Dapr (the dapr CLI, then `dapr init --slim`), or install Go 1.26+ and run this again:\n" +
        "  it then builds the Dapr CLI and runtime from their Go modules (about 10 minutes on 2 cores).",
    );
    expect(fs.readdirSync(home)).toEqual([]); // nothing installed or started
  });
});

describe("a port already taken", () => {
  it("daprd given a port another process listens on: ToolError naming that port and how to find the process", async () => {
    const other = net.createServer((sock) => sock.destroy()); // holds the port, answers nothing
    await new Promise((r) => other.listen(0, "127.0.0.1", () => r(undefined)));
    cleanups.push(() => new Promise((r) => other.close(() => r(undefined))));
    const { port } = /** @type {net.AddressInfo} */ (other.address());
    const redis = await ownRedis(cleanups);
    const resourcesDir = writeRunResources({ metadata: { redisHost: `localhost:${redis.port}` } });
    cleanups.push(() => fs.rmSync(resourcesDir, { recursive: true, force: true }));
    const err = await startSidecar({ command: ["sleep", "30"], resourcesDir, ports: { http: port } }).then(
      (h) => h.stop(),
      (e) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect(err.message).toMatch(/^daprd exited \(code 1\) before it was ready:\n.*could not listen/);
    expect(err.fix).toBe(
      `Port ${port} (daprd http) is taken by another process. Free it or pick another port; find it with: ss -ltnp 'sport = :${port}'`,
    );
  });
});

describe("zx tools/run.mjs --resources DIR", () => {
  it("runs the app with that folder's state store (here: a test Redis of its own)", async () => {
    const redis = await ownRedis(cleanups);
    const dir = writeRunResources({ metadata: { redisHost: `localhost:${redis.port}` } });
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const r = await zx("run.mjs", ["http", "--resources", dir, "--", "--count", "3", "--interval-ms", "50"], {
      timeoutMs: 180_000,
    });
    expect(r.code, plain(r.stderr + r.stdout)).toBe(0);
    expect(plain(r.stdout)).toMatch(/http-app exited with code 0; daprd stopped/);
    const keys = await withRedisClient(redis, (client) => client.keys("order-processor||*"));
    expect(keys.sort()).toEqual(["order-processor||1", "order-processor||2", "order-processor||3"]);
  });
});
