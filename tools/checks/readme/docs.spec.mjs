// @ts-check
// The repo's own docs (README.md, docs/*.md, deploy/kubernetes/README.md,
// apps/*/README.md): links that lead somewhere, every doc reachable from the
// README, code snippets equal to their regions, output blocks the check can
// run. Reads files only: no services, so it runs with the unit tests.
import { describe, expect, it } from "vitest";
import { findBlocks } from "./blocks.mjs";
import { docFiles, readDoc } from "./files.mjs";
import { checkLinks, unreachable } from "./links.mjs";
import { SOURCES, readBlocks } from "./outputs.mjs";
import { checkSnippets, findSnippets, snippetWhere } from "./snippets.mjs";

const files = docFiles();

describe("the docs", () => {
  it("are README.md, docs/*.md, deploy/kubernetes/README.md and the app READMEs", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "deploy/kubernetes/README.md", "docs/install.md"]));
    expect(files.filter((f) => f.startsWith("apps/"))).toHaveLength(3);
  });

  it("link only to files and headings that exist", () => {
    expect(checkLinks(files).map((p) => `${p.file}:${p.line}: ${p.href}: ${p.why}`)).toEqual([]);
  });

  it("can all be reached from README.md by following links", () => {
    expect(unreachable(files)).toEqual([]);
  });

  it("show code only as it is in the code: each snippet block equals its region (fix: npx zx tools/readme.mjs update)", () => {
    const results = checkSnippets(files);
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok).map((r) => `${snippetWhere(r.block)}: ${r.why}`)).toEqual([]);
  });

  it("app READMEs hold no TypeScript copied by hand: every ts block is a snippet", () => {
    for (const file of files.filter((f) => f.startsWith("apps/"))) {
      const text = readDoc(file);
      const fences = (text.match(/^[ \t]*```ts\s*$/gm) ?? []).length;
      expect(findSnippets(text, file), `${file}: ts blocks without a snippet marker`).toHaveLength(fences);
    }
  });

  it("mark output blocks only of sources the check runs, and README.md holds the npm test summary", () => {
    const blocks = readBlocks(files);
    const known = [...Object.keys(SOURCES), "npm test"];
    expect(blocks.filter((b) => !known.includes(b.source)).map((b) => `${b.file}:${b.line} ${b.source}`)).toEqual([]);
    expect(findBlocks(readDoc("README.md")).filter((b) => b.source === "npm test")).toHaveLength(1);
  });

  it("README.md stays a quickstart: at most 250 lines (depth goes to docs/)", () => {
    expect(readDoc("README.md").split("\n").length - 1).toBeLessThanOrEqual(250);
  });
});
