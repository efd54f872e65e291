// @ts-check
// Every relative link in the docs leads somewhere: to a file or folder of the
// repo and, for a Markdown file's #anchor, to one of its headings (the anchors
// GitHub gives them, by github-slugger). Links are read by marked's lexer, so
// code blocks and code spans are not taken for links.
import fs from "node:fs";
import path from "node:path";
import GithubSlugger from "github-slugger";
import { lexer, walkTokens } from "marked";
import { ROOT } from "../../stack/paths.mjs";
import { docFiles } from "./files.mjs";

/**
 * @typedef {object} LinkProblem
 * @property {string} file the doc, as given
 * @property {number} line
 * @property {string} href
 * @property {string} why
 */

/**
 * A heading's text as GitHub slugs it: what it renders, without the Markdown.
 * @param {import("marked").Token[]} tokens
 * @returns {string}
 */
const plain = (tokens) =>
  tokens
    .map((t) => {
      if ("tokens" in t && Array.isArray(t.tokens) && t.type !== "codespan") return plain(t.tokens);
      return "text" in t && typeof t.text === "string" ? t.text : "";
    })
    .join("");

/**
 * The #anchors of a Markdown text's headings, numbered as GitHub numbers repeats (x, x-1, …).
 * @param {string} markdown
 * @returns {Set<string>}
 */
export function anchors(markdown) {
  const slugger = new GithubSlugger();
  /** @type {Set<string>} */
  const out = new Set();
  walkTokens(lexer(markdown), (t) => {
    if (t.type === "heading") out.add(slugger.slug(plain(t.tokens ?? [])));
  });
  return out;
}

/**
 * The links and images of a Markdown text, in order, with the line each is on.
 * @param {string} markdown
 * @returns {{ href: string, line: number }[]}
 */
export function links(markdown) {
  /** @type {{ href: string, line: number }[]} */
  const out = [];
  let cursor = 0;
  walkTokens(lexer(markdown), (t) => {
    if (t.type !== "link" && t.type !== "image") return;
    const at = markdown.indexOf(t.raw, cursor);
    if (at >= 0) cursor = at + t.raw.length;
    const offset = at >= 0 ? at : markdown.indexOf(t.raw);
    out.push({ href: t.href, line: offset < 0 ? 0 : markdown.slice(0, offset).split("\n").length });
  });
  return out;
}

/** An address with a scheme (https:, mailto:) or host: not a file of this repo. */
const EXTERNAL = /^(?:[a-z][a-z\d+.-]*:|\/\/)/i;

/**
 * Where a relative link points: the file (absolute) and the anchor, if any.
 * @param {string} from the doc, absolute
 * @param {string} href
 * @param {string} root
 */
function target(from, href, root) {
  const hash = href.indexOf("#");
  const file = decodeURIComponent(hash < 0 ? href : href.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(href.slice(hash + 1));
  const to = file === "" ? from : file.startsWith("/") ? path.join(root, file) : path.resolve(path.dirname(from), file);
  return { to, anchor };
}

/**
 * Every relative link of the docs that leads nowhere.
 * @param {string[]} [files] docs, relative to `root` (or absolute)
 * @param {string} [root] the repository
 * @returns {LinkProblem[]}
 */
export function checkLinks(files = docFiles(), root = ROOT) {
  /** @type {Map<string, Set<string>>} */
  const anchorsOf = new Map();
  /** @type {LinkProblem[]} */
  const problems = [];
  for (const file of files) {
    const from = path.resolve(root, file);
    for (const { href, line } of links(fs.readFileSync(from, "utf8"))) {
      if (EXTERNAL.test(href)) continue;
      const problem = (/** @type {string} */ why) => problems.push({ file, line, href, why });
      const { to, anchor } = target(from, href, root);
      const rel = path.relative(root, to);
      if (rel.startsWith("..") || path.isAbsolute(rel)) {
        problem("it leads out of the repository");
        continue;
      }
      if (!fs.existsSync(to)) {
        problem(`${rel} does not exist`);
        continue;
      }
      if (anchor === undefined || !to.endsWith(".md") || !fs.statSync(to).isFile()) continue;
      if (!anchorsOf.has(to)) anchorsOf.set(to, anchors(fs.readFileSync(to, "utf8")));
      if (!anchorsOf.get(to)?.has(anchor)) problem(`${rel} has no heading with the anchor #${anchor}`);
    }
  }
  return problems;
}

/**
 * The docs no chain of links leads to from `start`: a doc nobody can find.
 * @param {string[]} [files] relative to `root`
 * @param {string} [start]
 * @param {string} [root]
 * @returns {string[]}
 */
export function unreachable(files = docFiles(), start = "README.md", root = ROOT) {
  const seen = new Set([path.resolve(root, start)]);
  const queue = [...seen];
  for (let doc = queue.shift(); doc !== undefined; doc = queue.shift()) {
    if (!doc.endsWith(".md") || !fs.existsSync(doc) || !fs.statSync(doc).isFile()) continue;
    for (const { href } of links(fs.readFileSync(doc, "utf8"))) {
      if (EXTERNAL.test(href)) continue;
      let { to } = target(doc, href, root);
      if (fs.existsSync(to) && fs.statSync(to).isDirectory()) to = path.join(to, "README.md");
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return files.filter((f) => !seen.has(path.resolve(root, f)));
}
