// @ts-check
// A signal that lands while something is still starting: the clean-up waits for
// the start, then stops what it started; nothing new starts after the signal.
// Each case runs a small tool in a child Node (cleanup.mjs leaves the signals to
// Vitest inside its workers), so the signal handling is the real one.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLEANUP = path.join(path.dirname(fileURLToPath(import.meta.url)), "cleanup.mjs");

/**
 * Runs `body` as a module with `startOwned`, `refuseIfEnding`, `onCleanup` and `sleep` in scope;
 * sends `signal` once it prints "ready".
 * @param {string} body
 * @param {NodeJS.Signals} signal
 * @returns {Promise<{ code: number | null, out: string[] }>}
 */
function endMidway(body, signal) {
  const src = `import { startOwned, refuseIfEnding, onCleanup } from ${JSON.stringify(CLEANUP)};
import { setTimeout as sleep } from "node:timers/promises";
const say = (s) => process.stdout.write(s + "\\n");
${body}`;
  const env = { ...process.env };
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  const child = spawn(process.execPath, ["--input-type=module", "-e", src], { env, stdio: ["ignore", "pipe", "pipe"] });
  /** @type {string[]} */
  const out = [];
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += d;
    for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) {
      const line = buf.slice(0, i);
      out.push(line);
      if (line === "ready") child.kill(signal);
    }
  });
  child.stderr.on("data", (d) => out.push(`stderr: ${d}`));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

describe("startOwned: a start in flight when the tool is told to stop", () => {
  it("the clean-up waits for the start to finish, then stops what it started", async () => {
    const { code, out } = await endMidway(
      `await startOwned("thing", async () => { say("ready"); await sleep(400); say("started"); return "thing"; },
        (t) => say("stopped " + t));
      await sleep(10_000); say("not stopped by the signal");`,
      "SIGTERM",
    );
    expect(code).toBe(143);
    expect(out.filter((l) => !l.includes("stopping what this tool started"))).toEqual([
      "ready",
      "started",
      "stopped thing",
    ]);
  });

  it("a failed start is still stopped (what it left half-started), with nothing to hand over", async () => {
    const { code, out } = await endMidway(
      `await startOwned("thing", async () => { say("ready"); await sleep(200); throw new Error("no"); },
        (t) => say("stopped " + t)).catch((e) => say("start failed: " + e.message));
      await sleep(10_000);`,
      "SIGINT",
    );
    expect(code).toBe(130);
    expect(out).toContain("stopped undefined");
  });

  it("once the tool is stopping, the next start is refused instead of run", async () => {
    const { code, out } = await endMidway(
      `onCleanup(() => sleep(300)); // a slow clean-up: the code below runs meanwhile
      say("ready");
      await sleep(100);
      await startOwned("late thing", async () => say("started late"), () => say("stopped late"))
        .catch((e) => say(e.constructor.name + ": " + e.message));`,
      "SIGTERM",
    );
    expect(code).toBe(143);
    expect(out).toContain("ToolStopping: not starting late thing: this tool is stopping");
    expect(out).not.toContain("started late");
  });
});
