// @ts-check
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lostItsFolder } from "./container-engine.mjs";

describe("lostItsFolder: a long-lived service started from a folder that was deleted since", () => {
  it.runIf(process.platform === "linux")("true once its working folder is gone, false before", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-cwd-"));
    const child = spawn("sleep", ["30"], { cwd: dir, stdio: "ignore" });
    try {
      await new Promise((r) => child.once("spawn", r));
      const pid = /** @type {number} */ (child.pid);
      expect(lostItsFolder(pid)).toBe(false);
      fs.rmSync(dir, { recursive: true, force: true });
      expect(lostItsFolder(pid)).toBe(true);
    } finally {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("false for a process that is not there", () => {
    expect(lostItsFolder(2 ** 22 + 1)).toBe(false);
  });
});
