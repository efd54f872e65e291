// @ts-check
// The link check on sample docs in a temporary folder, broken ones included,
// so that it is known to fail; docs.spec.mjs runs it on the real docs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { anchors, checkLinks, links, unreachable } from "./links.mjs";

describe("anchors", () => {
  it("are GitHub's: lower case, punctuation dropped, code spans as their text, repeats numbered", () => {
    const md = [
      "# Title",
      "## What if…",
      "## Measured (`--variant all --rounds 5`, seconds)",
      "## Dapr runtime 1.18.2 and CLI 1.12.0",
      "## Title",
      "```md",
      "# not a heading",
      "```",
    ].join("\n\n");
    expect([...anchors(md)]).toEqual([
      "title",
      "what-if",
      "measured---variant-all---rounds-5-seconds",
      "dapr-runtime-1182-and-cli-1120",
      "title-1",
    ]);
  });
});

describe("links", () => {
  it("finds links and images with their lines, but not in code blocks or code spans", () => {
    const md = "[a](a.md)\n\n```md\n[b](b.md)\n```\n\n`[c](c.md)` and ![d](d.svg)\n\n| x | [e](e.md#f) |\n| - | - |\n";
    expect(links(md)).toEqual([
      { href: "a.md", line: 1 },
      { href: "d.svg", line: 7 },
      { href: "e.md#f", line: 9 },
    ]);
  });
});

describe("checkLinks", () => {
  /** @type {string} */
  let root;
  const write = (/** @type {string} */ file, /** @type {string} */ text) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "links-"));
    write("docs/b.md", "# B\n\n## Known limits\n\n[back](../README.md#top)\n");
    write("src/x.ts", "export {};\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("passes links to files, folders, headings and the same page; skips web addresses", () => {
    write(
      "README.md",
      "# Top\n\n[b](docs/b.md), [limits](docs/b.md#known-limits), [src](src), [x](src/x.ts#L1), [here](#top), [web](https://example.com/x.md#nope)\n",
    );
    expect(checkLinks(["README.md", "docs/b.md"], root)).toEqual([]);
  });

  it("fails a missing file, a missing heading and a link out of the repo, naming file, line and link", () => {
    write(
      "README.md",
      "# Top\n\n[b](docs/gone.md)\n\n[c](docs/b.md#known-limit) [d](#nowhere)\n\n[e](../../etc/passwd)\n",
    );
    expect(checkLinks(["README.md"], root)).toEqual([
      { file: "README.md", line: 3, href: "docs/gone.md", why: "docs/gone.md does not exist" },
      {
        file: "README.md",
        line: 5,
        href: "docs/b.md#known-limit",
        why: "docs/b.md has no heading with the anchor #known-limit",
      },
      { file: "README.md", line: 5, href: "#nowhere", why: "README.md has no heading with the anchor #nowhere" },
      { file: "README.md", line: 7, href: "../../etc/passwd", why: "it leads out of the repository" },
    ]);
  });

  it("unreachable: a doc no chain of links from README.md leads to", () => {
    write("README.md", "# Top\n\n[b](docs/b.md)\n");
    write("docs/c.md", "# C\n");
    write("docs/d.md", "# D\n");
    write("docs/b.md", "# B\n\n[d](d.md)\n");
    expect(unreachable(["README.md", "docs/b.md", "docs/c.md", "docs/d.md"], "README.md", root)).toEqual(["docs/c.md"]);
  });
});
