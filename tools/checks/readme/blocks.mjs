// @ts-check
// The docs' marked blocks. An output block is an HTML comment naming where the output
// comes from, then a fenced code block holding it, e.g.
//
//   <!-- output: walkthrough sdk, step 3 -->
//
//   ```text
//   3. Stop Redis (...)
//   ```
//
// Like dapr/quickstarts' mechanical-markdown annotations, the comment does not
// render; unlike them, the expected text is the block readers see, so it is
// rewritten from a real run (tools/readme.mjs update) instead of kept by hand.
// A snippet block (snippets.mjs) is the same with <!-- snippet: FILE#REGION -->.

/**
 * A fenced code block that a marker comment names, in a doc.
 * @typedef {object} MarkedBlock
 * @property {string} file the doc, relative to the repo (as given)
 * @property {number} line the marker's line, 1-based
 * @property {string} indent the fence's indentation (blocks inside list items are indented)
 * @property {string} body the block's text, without the indentation
 * @property {number} start offset of the first body line in the file
 * @property {number} end offset of the closing fence's line
 */

/**
 * @typedef {MarkedBlock & { source: string, select: string }} OutputBlock
 *   source: what produced it ("walkthrough sdk", "http-app:dapr", "npm test");
 *   select: which part of that output ("step 3", "verdict", "until <text>", "summary")
 */

const MARKER = /^[ \t]*<!--\s*output:\s*([^,]+?)\s*(?:,\s*(.*?)\s*)?-->[ \t]*$/;

/**
 * Every line matching `marker` with the fenced code block that follows it, in order.
 * @param {string} markdown
 * @param {RegExp} marker matches a whole line
 * @param {string} file named in errors
 * @returns {Array<MarkedBlock & { match: RegExpExecArray }>}
 */
export function markedBlocks(markdown, marker, file) {
  const lines = markdown.split("\n");
  /** @type {number[]} offset of each line */
  const offsets = [];
  let at = 0;
  for (const l of lines) {
    offsets.push(at);
    at += l.length + 1;
  }
  /** @type {Array<MarkedBlock & { match: RegExpExecArray }>} */
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const match = marker.exec(lines[i] ?? "");
    if (!match) continue;
    let open = i + 1;
    while (open < lines.length && (lines[open] ?? "").trim() === "") open++;
    const fence = /^([ \t]*)(```+|~~~+)/.exec(lines[open] ?? "");
    if (!fence) throw new Error(`${file}:${i + 1}: the marker is not followed by a fenced code block`);
    const [, indent = "", ticks = "```"] = fence;
    let close = open + 1;
    while (close < lines.length && (lines[close] ?? "").trim() !== ticks) close++;
    if (close >= lines.length) throw new Error(`${file}:${open + 1}: the code block is never closed`);
    const body = lines
      .slice(open + 1, close)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
      .join("\n");
    blocks.push({ match, file, line: i + 1, indent, body, start: offsets[open + 1] ?? 0, end: offsets[close] ?? 0 });
  }
  return blocks;
}

/**
 * Every marked output block of a Markdown text, in order.
 * @param {string} markdown
 * @param {string} [file] named in errors and in each block
 * @returns {OutputBlock[]}
 */
export function findBlocks(markdown, file = "README.md") {
  return markedBlocks(markdown, MARKER, file).map(({ match, ...block }) => ({
    ...block,
    source: match[1] ?? "",
    select: match[2] ?? "",
  }));
}

/**
 * The Markdown with some blocks' bodies replaced (indented like the fence).
 * @param {string} markdown
 * @param {Map<MarkedBlock, string>} bodies block (found in this same text) -> its new body
 * @returns {string}
 */
export function replaceBlocks(markdown, bodies) {
  let out = markdown;
  // From the end, so earlier offsets stay valid.
  for (const [block, body] of [...bodies].sort((a, b) => b[0].start - a[0].start)) {
    const text = body
      .replace(/\n+$/, "")
      .split("\n")
      .map((l) => (l ? block.indent + l : l))
      .join("\n");
    out = out.slice(0, block.start) + text + "\n" + out.slice(block.end);
  }
  return out;
}
