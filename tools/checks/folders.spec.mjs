// @ts-check
// tools/ is laid out by role (tools/README.md). This keeps the layout honest:
// each folder imports only the folders below it, so no two folders import
// each other and a newcomer can read them bottom-up.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../stack/paths.mjs";

/**
 * Which folders each role may import from (besides itself).
 * @type {Record<"cli" | "stack" | "bench/lib" | "demos" | "bench" | "checks" | "e2e" | "top", string[]>}
 */
const MAY_IMPORT = {
  cli: [],
  stack: ["cli"],
  "bench/lib": ["cli", "stack"],
  demos: ["cli", "stack", "bench/lib"],
  bench: ["cli", "stack", "bench/lib"],
  checks: ["cli", "stack"],
  e2e: ["cli", "stack", "bench/lib", "demos", "checks"],
  top: ["cli", "stack", "bench/lib", "demos", "checks"],
};

/** @param {string} file a path relative to tools/  @returns {keyof typeof MAY_IMPORT} */
export function roleOf(file) {
  if (!file.includes("/")) return "top";
  if (file.startsWith("bench/lib/")) return "bench/lib";
  const first = /** @type {keyof typeof MAY_IMPORT} */ (file.split("/")[0]);
  if (!Object.hasOwn(MAY_IMPORT, first)) throw new Error(`tools/${file} is in no role folder (see tools/README.md)`);
  return first;
}

/** The demos (and checks) are siblings: one may not import another. */
const unit = (/** @type {string} */ file) => file.split("/").slice(0, 2).join("/");

/** @param {string} text  @returns {string[]} the relative specifiers it imports */
export function relativeImports(text) {
  const rx = /(?:from\s+|import\(\s*|new URL\(\s*)["'](\.{1,2}\/[^"']+)["']/g;
  return [...text.matchAll(rx)].map((m) => /** @type {string} */ (m[1]));
}

const files = execFileSync("git", ["ls-files", "tools/*.mjs", "tools/**/*.mjs"], { cwd: ROOT, encoding: "utf8" })
  .split("\n")
  .filter((f) => f && fs.existsSync(path.join(ROOT, f)))
  .map((f) => f.slice("tools/".length));

describe("tools/ by role: each folder imports only the folders below it", () => {
  it("knows every file's role", () => {
    for (const f of files) expect(() => roleOf(f)).not.toThrow();
  });

  it("no import goes up or sideways", () => {
    const wrong = [];
    for (const f of files) {
      const from = roleOf(f);
      for (const spec of relativeImports(fs.readFileSync(path.join(ROOT, "tools", f), "utf8"))) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
        if (target.startsWith("..")) continue; // outside tools/ (none today)
        const to = roleOf(target);
        const sibling = (from === "demos" || from === "checks") && to === from && unit(f) !== unit(target);
        if (sibling || (to !== from && !MAY_IMPORT[from].includes(to)))
          wrong.push(`tools/${f} imports tools/${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("the check itself could fail: an upward import is caught", () => {
    expect(roleOf("stack/redis.mjs")).toBe("stack");
    expect(MAY_IMPORT.stack).not.toContain(roleOf("demos/walkthrough/walk.mjs"));
    // split so that this file's own scan does not see them
    const sample = ["import { x } from ", '"../demos/a.mjs"; await import(', '"./b.mjs")'].join("");
    expect(relativeImports(sample)).toEqual(["../demos/a.mjs", "./b.mjs"]);
  });
});
