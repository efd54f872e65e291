// @ts-check
// Snippets cut from marked regions of the code: the cutting, the check that
// fails when a doc's block differs from its region, and the rewrite. On
// sample files in a temporary folder; docs.spec.mjs checks the real docs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkSnippets, cutRegion, findSnippets, updateSnippets } from "./snippets.mjs";

const CODE = [
  "export function f() {",
  "  // #region setup",
  "  const a = 1;",
  "  if (a) {",
  "    // #region inner",
  "    go(a);",
  "    // #endregion inner",
  "  }",
  "  // #endregion setup",
  "  return a;",
  "}",
  "",
].join("\n");

describe("cutRegion", () => {
  it("gives the region's lines less their common indentation, without other regions' markers", () => {
    expect(cutRegion(CODE, "setup", "f.ts")).toBe("const a = 1;\nif (a) {\n  go(a);\n}");
    expect(cutRegion(CODE, "inner", "f.ts")).toBe("go(a);");
  });

  it("refuses a region that is missing, unclosed or marked twice, naming the file", () => {
    expect(() => cutRegion(CODE, "save", "f.ts")).toThrow('f.ts has no "// #region save"');
    expect(() => cutRegion(CODE.replace("// #endregion setup", ""), "setup", "f.ts")).toThrow(
      'f.ts:2: "// #region setup" is not closed by a later "// #endregion setup"',
    );
    expect(() => cutRegion(`${CODE}// #region inner\n// #endregion inner\n`, "inner", "f.ts")).toThrow(
      'f.ts marks the region "inner" more than once',
    );
  });
});

describe("checkSnippets and updateSnippets", () => {
  /** @type {string} */
  let root;
  /** @type {string} */
  let doc;
  const write = (/** @type {string} */ body, /** @type {string} */ region = "setup") =>
    fs.writeFileSync(
      doc,
      `# App\n\nIntro.\n\n<!-- snippet: src/f.ts#${region} -->\n\n\`\`\`ts\n${body}\n\`\`\`\n\nAfter.\n`,
    );

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "snippets-"));
    fs.mkdirSync(path.join(root, "src"));
    fs.writeFileSync(path.join(root, "src/f.ts"), CODE);
    doc = path.join(root, "README.md");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("passes a block that holds its region", () => {
    write("const a = 1;\nif (a) {\n  go(a);\n}");
    expect(findSnippets(fs.readFileSync(doc, "utf8"), "README.md")).toMatchObject([
      { code: "src/f.ts", region: "setup", line: 5 },
    ]);
    expect(checkSnippets([doc], root)).toMatchObject([{ ok: true }]);
  });

  it("fails a block copied by hand that drifted from the code, naming the first differing line", () => {
    write("const a = 1;\nif (a) {\n  go(a, b);\n}");
    const [r] = checkSnippets([doc], root);
    expect(r?.ok).toBe(false);
    expect(r?.why).toBe('line 3 of the block: the doc has "  go(a, b);", src/f.ts#setup has "  go(a);"');
  });

  it("fails a block whose file or region is gone", () => {
    write("x", "gone");
    expect(checkSnippets([doc], root)[0]?.why).toBe('src/f.ts has no "// #region gone"');
    fs.rmSync(path.join(root, "src/f.ts"));
    write("x");
    expect(checkSnippets([doc], root)[0]?.why).toBe("src/f.ts does not exist");
    expect(() => updateSnippets([doc], root)).toThrow(`${doc}:5: src/f.ts does not exist`);
  });

  it("update rewrites a drifted block from its region, leaving the rest of the doc, and then it passes", () => {
    write("old");
    expect(updateSnippets([doc], root)).toBe(1);
    expect(fs.readFileSync(doc, "utf8")).toBe(
      "# App\n\nIntro.\n\n<!-- snippet: src/f.ts#setup -->\n\n```ts\nconst a = 1;\nif (a) {\n  go(a);\n}\n```\n\nAfter.\n",
    );
    expect(checkSnippets([doc], root)).toMatchObject([{ ok: true }]);
    expect(updateSnippets([doc], root)).toBe(0);
  });
});
