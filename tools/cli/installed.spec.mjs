// @ts-check
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { installState } from "./installed.mjs";

const INSTALLED = path.join(path.dirname(fileURLToPath(import.meta.url)), "installed.mjs");
/** @type {string[]} */
const dirs = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A project folder with a lockfile written at `lockAt` and, if given, an install at `installedAt` (s). */
function project(lockAt = 1_000, installedAt = /** @type {number | undefined} */ (undefined)) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "installed-"));
  dirs.push(root);
  fs.writeFileSync(path.join(root, "package-lock.json"), "{}");
  fs.utimesSync(path.join(root, "package-lock.json"), lockAt, lockAt);
  if (installedAt !== undefined) {
    fs.mkdirSync(path.join(root, "node_modules"));
    fs.writeFileSync(path.join(root, "node_modules/.package-lock.json"), "{}");
    fs.utimesSync(path.join(root, "node_modules/.package-lock.json"), installedAt, installedAt);
  }
  return root;
}

describe("installState", () => {
  it("missing, stale (the lockfile changed after the install) or fresh", () => {
    expect(installState(project(1_000))).toBe("missing");
    expect(installState(project(2_000, 1_000))).toBe("stale");
    expect(installState(project(1_000, 2_000))).toBe("fresh");
  });

  it("exitUnlessInstalled: exit 2 saying to run npm ci, no stack trace; nothing when fresh", () => {
    const run = (/** @type {string} */ root) =>
      spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { exitUnlessInstalled } from ${JSON.stringify(INSTALLED)}; exitUnlessInstalled(${JSON.stringify(root)}); console.log("went on");`,
        ],
        { encoding: "utf8" },
      );
    const stale = run(project(2_000, 1_000));
    expect(stale.status).toBe(2);
    expect(stale.stderr).toContain("node_modules is older than package-lock.json");
    expect(stale.stderr).toContain("npm ci");
    expect(stale.stderr).not.toMatch(/\n\s+at /);
    expect(stale.stdout).toBe("");
    const fresh = run(project(1_000, 2_000));
    expect({ status: fresh.status, stdout: fresh.stdout }).toEqual({ status: 0, stdout: "went on\n" });
  });
});
