// @ts-check
// Code shown in the docs is cut from the code, not copied by hand. The code
// marks a region with comment lines, the doc marks the block that shows it:
//
//   // #region save                   (in apps/http-app/src/order-store.ts)
//   ...
//   // #endregion save
//
//   <!-- snippet: apps/http-app/src/order-store.ts#save -->   (in a doc; the path is from the repo root)
//
//   ```ts
//   ...
//   ```
//
// The block must hold the region's lines, less their common indentation and any
// other region's marker lines (temporalio/samples-typescript marks snippets alike).
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../../stack/paths.mjs";
import { markedBlocks } from "./blocks.mjs";
import { docFiles, readDoc, rewriteBlocks } from "./files.mjs";

const MARKER = /^[ \t]*<!--\s*snippet:\s*([^\s#]+)#([\w.-]+)\s*-->[ \t]*$/;
const REGION = /^\s*\/\/\s*#(region|endregion)\s+([\w.-]+)\s*$/;

/** @typedef {import("./blocks.mjs").MarkedBlock & { code: string, region: string }} SnippetBlock */

/**
 * @typedef {object} SnippetResult
 * @property {SnippetBlock} block
 * @property {string | undefined} expected the region's text; undefined when it cannot be read
 * @property {boolean} ok
 * @property {string} [why]
 */

/**
 * Every snippet block of a doc, in order.
 * @param {string} markdown
 * @param {string} file
 * @returns {SnippetBlock[]}
 */
export function findSnippets(markdown, file) {
  return markedBlocks(markdown, MARKER, file).map(({ match, ...block }) => ({
    ...block,
    code: match[1] ?? "",
    region: match[2] ?? "",
  }));
}

/**
 * A region's text: its lines, without other regions' marker lines, less their common indentation.
 * @param {string} source the code file's text
 * @param {string} name
 * @param {string} file the code file, named in errors
 * @returns {string}
 */
export function cutRegion(source, name, file) {
  const lines = source.split("\n");
  const at = (/** @type {string} */ kind) =>
    lines.flatMap((l, i) => {
      const m = REGION.exec(l);
      return m && m[1] === kind && m[2] === name ? [i] : [];
    });
  const [open, ...moreOpen] = at("region");
  const [close, ...moreClose] = at("endregion");
  if (open === undefined) throw new Error(`${file} has no "// #region ${name}"`);
  if (moreOpen.length || moreClose.length) throw new Error(`${file} marks the region "${name}" more than once`);
  if (close === undefined || close < open)
    throw new Error(`${file}:${open + 1}: "// #region ${name}" is not closed by a later "// #endregion ${name}"`);
  const body = lines.slice(open + 1, close).filter((l) => !REGION.test(l));
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0).trimEnd()).join("\n");
}

/**
 * Compares each snippet block of the docs with its region.
 * @param {string[]} [files] docs, relative to the repo (or absolute)
 * @param {string} [root] what the markers' code paths are relative to
 * @returns {SnippetResult[]}
 */
export function checkSnippets(files = docFiles(), root = ROOT) {
  return files
    .flatMap((file) => findSnippets(readDoc(file), file))
    .map((block) => {
      const code = path.join(root, block.code);
      if (!fs.existsSync(code)) return { block, expected: undefined, ok: false, why: `${block.code} does not exist` };
      let expected;
      try {
        expected = cutRegion(fs.readFileSync(code, "utf8"), block.region, block.code);
      } catch (err) {
        return { block, expected: undefined, ok: false, why: err instanceof Error ? err.message : String(err) };
      }
      if (expected === block.body) return { block, expected, ok: true };
      const a = block.body.split("\n");
      const b = expected.split("\n");
      const i = a.findIndex((l, n) => l !== b[n]);
      const n = i < 0 ? a.length : i;
      return {
        block,
        expected,
        ok: false,
        why: `line ${n + 1} of the block: the doc has ${JSON.stringify(a[n] ?? "(nothing)")}, ${block.code}#${block.region} has ${JSON.stringify(b[n] ?? "(nothing)")}`,
      };
    });
}

/**
 * Rewrites the snippet blocks that differ from their region; returns how many changed.
 * A region that cannot be read is an error (the doc names code that is not there).
 * @param {string[]} [files]
 * @param {string} [root]
 */
export function updateSnippets(files = docFiles(), root = ROOT) {
  const results = checkSnippets(files, root);
  const broken = results.find((r) => r.expected === undefined);
  if (broken) throw new Error(`${broken.block.file}:${broken.block.line}: ${broken.why}`);
  const changed = results.filter((r) => !r.ok);
  rewriteBlocks(new Map(changed.map((r) => [r.block, r.expected ?? ""])));
  return changed.length;
}

/**
 * Where a snippet block is, for messages.
 * @param {SnippetBlock} block
 */
export const snippetWhere = (block) => `${block.file}:${block.line} (snippet ${block.code}#${block.region})`;
