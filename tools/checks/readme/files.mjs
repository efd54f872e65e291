// @ts-check
// The docs the checks read: their output blocks, their snippets of code and their links.
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../../stack/paths.mjs";
import { replaceBlocks } from "./blocks.mjs";

/**
 * README.md, docs/*.md, deploy/kubernetes/README.md and apps/*\/README.md, those that exist, in that order.
 * @param {string} [root]
 * @returns {string[]} paths relative to root, with "/"
 */
export function docFiles(root = ROOT) {
  /** @param {string} dir */
  const list = (dir) => {
    const at = path.join(root, dir);
    return fs.existsSync(at)
      ? fs.readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
      : [];
  };
  return [
    "README.md",
    ...list("docs")
      .filter((e) => e.isFile() && e.name.endsWith(".md"))
      .map((e) => `docs/${e.name}`),
    "deploy/kubernetes/README.md",
    ...list("apps")
      .filter((e) => e.isDirectory())
      .map((e) => `apps/${e.name}/README.md`),
  ].filter((f) => fs.existsSync(path.join(root, f)));
}

/**
 * A doc's text; `file` is relative to the repo (or absolute).
 * @param {string} file
 */
export const readDoc = (file) => fs.readFileSync(path.resolve(ROOT, file), "utf8");

/**
 * @param {string} file
 * @param {string} text
 */
export const writeDoc = (file, text) => fs.writeFileSync(path.resolve(ROOT, file), text);

/**
 * Writes new bodies into the blocks' docs.
 * @param {Map<import("./blocks.mjs").MarkedBlock, string>} bodies block (as read from its doc now) -> its new body
 */
export function rewriteBlocks(bodies) {
  for (const file of new Set([...bodies.keys()].map((b) => b.file))) {
    const mine = new Map([...bodies].filter(([b]) => b.file === file));
    writeDoc(file, replaceBlocks(readDoc(file), mine));
  }
}
