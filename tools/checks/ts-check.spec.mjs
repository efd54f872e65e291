// @ts-check
// Every tools script is type-checked (npx nx run tools:typecheck): tsc checks
// a .mjs file only when it starts with `// @ts-check` (after a #! line).
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../stack/paths.mjs";

/** The tracked .mjs files under tools/, without the Go wrapper modules and node_modules. */
const tracked = execFileSync("git", ["ls-files", "-z", "--", "tools/*.mjs", "tools/**/*.mjs"], {
  cwd: ROOT,
  encoding: "utf8",
})
  .split("\0")
  .filter((f) => f && !/(^|\/)(node_modules|dapr-runtime|dapr-cli)\//.test(f));

/**
 * @param {string} text a file's content
 * @returns {boolean} its first line (after a #! line) is `// @ts-check`
 */
function startsWithTsCheck(text) {
  const lines = text.split("\n");
  const first = lines[0]?.startsWith("#!") ? lines[1] : lines[0];
  return first?.trim() === "// @ts-check";
}

describe("// @ts-check", () => {
  it("recognises the directive on the first line, or the second after #!", () => {
    expect(startsWithTsCheck("// @ts-check\nimport x from 'y';")).toBe(true);
    expect(startsWithTsCheck("#!/usr/bin/env zx\n// @ts-check\n")).toBe(true);
    expect(startsWithTsCheck("// A comment\n// @ts-check\n")).toBe(false);
    expect(startsWithTsCheck("#!/usr/bin/env zx\nimport x from 'y';")).toBe(false);
  });

  it("starts every tracked .mjs file under tools/", () => {
    expect(tracked.length).toBeGreaterThan(20); // git ls-files found the tools
    const missing = tracked.filter((f) => !startsWithTsCheck(fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(missing, `add // @ts-check as the first line (after #!) of:\n${missing.join("\n")}`).toEqual([]);
  });
});
