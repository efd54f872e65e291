// @ts-check
// Which part of a command's output a README block shows. Pure, unit-tested.
import { stripVTControlCharacters } from "node:util";

// The walkthrough's step headings ("3. Stop Redis (…)") and its verdict ("Verdict for sdk-app: PASS").
const HEADING = /^(?:\d+\. |Verdict for |All variants)/;

/** @param {string[]} lines */
const trimBlank = (lines) => {
  let a = 0;
  let b = lines.length;
  while (a < b && !lines[a]?.trim()) a++;
  while (b > a && !lines[b - 1]?.trim()) b--;
  return lines.slice(a, b);
};

/**
 * The text a block shows, cut from a command's whole output:
 *   ""            all of it
 *   "step N"      the walkthrough's step N: its heading up to the next heading
 *   "verdict"     from "Verdict for …" up to the next heading or the end
 *   "until TEXT"  from the start through the first line containing TEXT
 *   "from START until TEXT"  the same, from the first line containing START (skips, e.g., Nx's
 *                 task list, which depends on its cache)
 *   "summary"     the last line saying "N passed, N failed"
 * @param {string} output as printed; colours are removed
 * @param {string} selector
 * @returns {string | undefined} undefined when the output has no such part
 */
export function selectOutput(output, selector) {
  const lines = stripVTControlCharacters(output).replace(/\r/g, "").split("\n");
  const sel = selector.trim();
  /** @param {number} from */
  const section = (from) => {
    let to = from + 1;
    while (to < lines.length && !HEADING.test(lines[to] ?? "")) to++;
    return trimBlank(lines.slice(from, to)).join("\n");
  };
  if (sel === "") return trimBlank(lines).join("\n");
  const step = /^step (\d+)$/.exec(sel);
  if (step) {
    const i = lines.findIndex((l) => l.startsWith(`${step[1]}. `));
    return i < 0 ? undefined : section(i);
  }
  if (sel === "verdict") {
    const i = lines.findIndex((l) => l.startsWith("Verdict for "));
    return i < 0 ? undefined : section(i);
  }
  const until = /^(?:from (.+?) )?until (.+)$/.exec(sel);
  if (until) {
    const [, start, end = ""] = until;
    const from = start === undefined ? 0 : lines.findIndex((l) => l.includes(start));
    const i = lines.findIndex((l, n) => n >= from && l.includes(end));
    return from < 0 || i < 0 ? undefined : trimBlank(lines.slice(from, i + 1)).join("\n");
  }
  if (sel === "summary") return lines.findLast((l) => /^\d+ passed, \d+ failed/.test(l));
  throw new Error(`unknown output selector "${selector}" (use step N, verdict, until TEXT, summary or nothing)`);
}

/**
 * For a command that runs until stopped: the text after which it can be stopped.
 * @param {string} selector
 * @returns {string | undefined}
 */
export function stopAfter(selector) {
  return /^(?:from .+? )?until (.+)$/.exec(selector.trim())?.[1];
}
