// @ts-check
// Every way out of a tool that has Redis down: Ctrl-C (SIGINT to the process
// group), SIGTERM (`timeout`), SIGHUP (terminal closed, output gone with it)
// and a reader closing the pipe (`… | head -3`). After each: every process the
// tool started is gone, its temporary folders too, and a Redis it stopped but
// does not own runs again.
//
// The walkthrough stops the project's Redis on 127.0.0.1:6379 (it has no other):
// run this file under `flock /tmp/redis6379.lock` when others share the machine.
// compare, the lab, the soak and the failover demo stop Redises of their own, on free ports.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESOURCES } from "../stack/paths.mjs";
import { writeRunResources } from "../stack/resources.mjs";
import { LocalRedis, ensureRedis, withRedisClient } from "../stack/redis.mjs";
import { startRedis } from "../stack/isolated-stack.mjs";
import { commandLine, markedRun, runAndEnd } from "./support/interrupt.mjs";

/** @type {[NodeJS.Signals, number][]} */
const SIGNALS = [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
];

/** What the run left: its processes (but `except`) as command lines, and its TMPDIR's entries. */
/** @param {import("./support/interrupt.mjs").MarkedRun} run @param {number[]} [except] */
async function leftBehind(run, except = []) {
  // endProcess gives each child 5 s after SIGTERM; the tool exits only after that, so nothing
  // should still be ending here. A short wait covers the kernel reaping what was just killed.
  for (let i = 0; i < 20 && run.processes().some((p) => !except.includes(p)); i++)
    await new Promise((r) => setTimeout(r, 100));
  return {
    processes: run
      .processes()
      .filter((p) => !except.includes(p))
      .map(commandLine),
    files: run.leftovers(),
  };
}

/**
 * The run ended the way `code` says, by itself (not killed after a hang), and left nothing.
 * @param {import("./support/interrupt.mjs").MarkedRun} run
 * @param {import("./support/interrupt.mjs").Ended} ended
 * @param {number} code
 */
async function expectEndedClean(run, ended, code) {
  expect(ended.matched, ended.output).toBe(true);
  expect({ code: ended.code, hung: ended.hung }, ended.output).toEqual({ code, hung: false });
  expect(await leftBehind(run)).toEqual({ processes: [], files: [] });
}

describe("walkthrough, ended while Redis is stopped (the project's Redis on 6379)", () => {
  const project = new LocalRedis();
  /** @type {string} */
  let resources;
  beforeAll(() => {
    // the seed's policy, shortened: Redis goes down about 2 s after the start
    const seed = fs.readFileSync(path.join(RESOURCES, "resiliency.yaml"), "utf8");
    resources = writeRunResources({
      replace: {
        "resiliency.yaml": seed.replace("duration: 5s", "duration: 500ms").replace("timeout: 5s", "timeout: 2s"),
      },
    });
  });
  afterAll(async () => {
    fs.rmSync(resources, { recursive: true, force: true });
    await ensureRedis({ mode: "local" }); // whatever happened above, leave the shared Redis running
  });

  const walk = { script: "demo.mjs", at: /^4\. Watch daprd apply the policies/m, afterMs: 1_500 };
  const args = () => ["walkthrough", "--variant", "http", "--resources", resources];

  it.each(SIGNALS)("%s: exit %d; app and daprd gone; Redis running again", async (signal, code) => {
    const run = markedRun();
    try {
      const ended = await runAndEnd({ ...walk, args: args(), env: run.env, signal, closePipes: signal === "SIGHUP" });
      expect(ended.matched, ended.output).toBe(true);
      expect(ended.hung).toBe(false);
      expect({ code: ended.code, signal: ended.signal }, ended.output).toEqual({ code, signal: null });
      if (signal !== "SIGHUP") expect(ended.output).toContain(`${signal}: stopping what this tool started…`);
      expect(await withRedisClient(project, (c) => c.ping())).toBe("PONG");
      // the project's redis-server, started again by the tool, carries the marker: it is the one to keep
      expect(await leftBehind(run, [project.pid() ?? -1])).toEqual({ processes: [], files: [] });
    } finally {
      run.remove();
    }
  });

  it("its stdout closed (a reader that had enough): exit 141; app and daprd gone; Redis running again", async () => {
    const run = markedRun();
    try {
      const ended = await runAndEnd({ ...walk, args: args(), env: run.env, close: "stdout" });
      expect(ended.matched, ended.output).toBe(true);
      expect({ code: ended.code, hung: ended.hung }, ended.output).toEqual({ code: 141, hung: false });
      expect(ended.output).toMatch(/stdout closed \(EPIPE\): stopping what this tool started…/);
      expect(await withRedisClient(project, (c) => c.ping())).toBe("PONG");
      expect(await leftBehind(run, [project.pid() ?? -1])).toEqual({ processes: [], files: [] });
    } finally {
      run.remove();
    }
  });
});

describe("compare --quick, ended in its outage phase and by a closed pipe (its own Redis)", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "compare-ended-"));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
  const args = ["compare", "--quick", "--variants", "http", "--out", out];

  it.each(SIGNALS)(
    "%s while its Redis is stopped: exit %d; its daprd, app and redis-server gone with their folders",
    async (signal, code) => {
      const run = markedRun();
      try {
        const ended = await runAndEnd({
          script: "demo.mjs",
          args,
          env: run.env,
          at: /Redis stopped after order/,
          afterMs: 1_000,
          signal,
          closePipes: signal === "SIGHUP",
        });
        expect(ended.matched, ended.output).toBe(true);
        expect({ code: ended.code, signal: ended.signal, hung: ended.hung }, ended.output).toEqual({
          code,
          signal: null,
          hung: false,
        });
        expect(await leftBehind(run)).toEqual({ processes: [], files: [] });
      } finally {
        run.remove();
      }
    },
  );

  it.each(
    /** @type {const} */ ([
      ["stdout", []],
      ["stderr", ["--json"]], // with --json the progress lines go to stderr
    ]),
  )("its %s closed mid-run: exit 141; nothing of it left running, no folder left", async (pipe, extra) => {
    const run = markedRun();
    try {
      const ended = await runAndEnd({
        script: "demo.mjs",
        args: [...args, ...extra],
        env: run.env,
        at: /Steady state:/, // daprd --app-id bench and the redis-server are running
        close: pipe,
      });
      await expectEndedClean(run, ended, 141);
    } finally {
      run.remove();
    }
  });
});

describe("lab --quick, its stdout closed as its cells start (`lab --quick | head -3`)", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "lab-ended-"));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  // The tool learns that the reader is gone at its next write: the line of the first cell done,
  // printed just as the next cell starts its Redis. The clean-up has to wait for that start and
  // stop what it started, not run past it (it used to leave that redis-server and its folder).
  it("exit 141; no process and no folder left, the cell that was starting included", async () => {
    const run = markedRun();
    try {
      const ended = await runAndEnd({
        script: "demo.mjs",
        args: ["lab", "--quick", "--fault-s", "3", "--out", out],
        env: run.env,
        at: /× [\w-]+: starting/,
        close: "stdout",
      });
      await expectEndedClean(run, ended, 141);
    } finally {
      run.remove();
    }
  });
});

describe("soak and failover, ended while their Redis is down (their own Redis)", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "soak-ended-"));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it("soak, SIGINT while its Redis is frozen (redis-sigstop): exit 130; apps, daprds, Toxiproxy and Redis gone", async () => {
    const run = markedRun();
    try {
      const ended = await runAndEnd({
        script: "demo.mjs",
        args: ["soak", "--duration", "2m", "--seed", "7", "--variants", "http", "--out", out],
        env: run.env,
        at: /redis-sigstop for /,
        afterMs: 1_000,
        signal: "SIGINT",
        timeoutMs: 240_000,
      });
      await expectEndedClean(run, ended, 130);
    } finally {
      run.remove();
    }
  });

  it("failover, SIGTERM right after the primary is killed: exit 143; the cluster, daprd and app gone", async () => {
    const run = markedRun();
    try {
      const ended = await runAndEnd({
        script: "demo.mjs",
        args: ["failover", "--variant", "http", "--rounds", "1"],
        env: run.env,
        at: /killed \(SIGKILL\) right after order/,
        afterMs: 500,
        signal: "SIGTERM",
      });
      await expectEndedClean(run, ended, 143);
    } finally {
      run.remove();
    }
  });
});

describe("a frozen Redis on the way out", () => {
  it("LocalRedis.stop ends a Redis paused with SIGSTOP (a fault still active when the tool ends)", async () => {
    const redis = await startRedis();
    try {
      redis.pause();
      const started = Date.now();
      await redis.stop();
      expect(redis.pid()).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(9_000); // it waited up to 10 s for a pid that never went
    } finally {
      if (redis.pid() !== undefined) {
        redis.resume();
        await redis.stop();
      }
      fs.rmSync(redis.dir, { recursive: true, force: true });
    }
  });
});
