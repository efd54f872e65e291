// @ts-check
// Checks (or rewrites) the docs' output blocks against a real run of the
// commands they show. Each source runs once, however many blocks it feeds.
import path from "node:path";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "../../stack/paths.mjs";
import { onCleanup } from "../../cli/cleanup.mjs";
import { findBlocks } from "./blocks.mjs";
import { docFiles, readDoc, rewriteBlocks } from "./files.mjs";
import { isStateDependent, normalise } from "./normalise.mjs";
import { selectOutput, stopAfter } from "./select.mjs";

const ZX = path.join(ROOT, "node_modules/zx/build/cli.js");
const NX = path.join(ROOT, "node_modules/nx/dist/bin/nx.js");

/**
 * The commands whose output the docs show. "npm test" is not here: the
 * whole suite takes minutes, so tools/test.mjs checks its summary after a run.
 * @type {Record<string, { command: string[], timeoutMs: number }>}
 */
export const SOURCES = {
  "walkthrough sdk": {
    command: [process.execPath, ZX, "tools/demo.mjs", "walkthrough", "--variant", "sdk"],
    timeoutMs: 300_000,
  },
  "http-app:dapr": { command: [process.execPath, NX, "run", "http-app:dapr"], timeoutMs: 180_000 },
  // Installs kustomize, kubeconform and the PyPI tools on its first run (minutes), then takes seconds.
  "deploy:check": { command: [process.execPath, "tools/deploy-check.mjs"], timeoutMs: 600_000 },
};

/** @typedef {import("./blocks.mjs").OutputBlock} OutputBlock */
/** @typedef {import("./blocks.mjs").MarkedBlock} MarkedBlock */

/**
 * @typedef {object} BlockResult
 * @property {OutputBlock} block
 * @property {string | undefined} actual the part of the real output it should show
 * @property {boolean} ok
 * @property {string} [why] for a mismatch: the first differing line, both ways
 */

/**
 * Runs a command to its end, or until `stopText` appeared (then SIGINT, as Ctrl-C).
 * @param {string[]} command
 * @param {{ timeoutMs: number, stopText?: string }} options
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export function runForOutput([cmd = "", ...args], { timeoutMs, stopText }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      detached: true, // its own process group: SIGINT reaches nx, zx, daprd and the app
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", NX_DAEMON: "false", NX_TUI: "false" },
    });
    /** @param {NodeJS.Signals} sig */
    const signal = (sig) => {
      try {
        process.kill(-(child.pid ?? 0), sig);
      } catch {
        /* already gone */
      }
    };
    const removeCleanup = onCleanup(() => signal("SIGKILL"));
    let stdout = "";
    let stderr = "";
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      signal("SIGINT");
      sleep(15_000).then(() => signal("SIGKILL"));
    };
    child.stdout.on("data", (b) => {
      stdout += b;
      if (stopText && stdout.includes(stopText)) stop();
    });
    child.stderr.on("data", (b) => (stderr += b));
    const timer = setTimeout(stop, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      removeCleanup();
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Whether two normalised texts hold the same lines. Lines of two processes
 * (app, daprd, the tool) printed within the same moment may interleave
 * differently from run to run, so the same lines in another order match too.
 * @param {string} expected
 * @param {string} actual
 * @returns {string | undefined} undefined when they match; else what differs
 */
function difference(expected, actual) {
  if (expected === actual) return undefined;
  const a = expected.split("\n");
  const b = actual.split("\n");
  const sorted = (/** @type {string[]} */ l) => [...l].sort().join("\n");
  if (sorted(a) === sorted(b)) return undefined;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}: the doc has ${JSON.stringify(a[i] ?? "(nothing)")}, the run printed ${JSON.stringify(b[i] ?? "(nothing)")}`;
  }
  return "the lines differ";
}

/**
 * Compares each block with the same part of a given output.
 * @param {OutputBlock[]} blocks
 * @param {Record<string, string>} outputs source -> its whole output
 * @returns {BlockResult[]}
 */
export function compareBlocks(blocks, outputs) {
  return blocks
    .filter((block) => block.source in outputs)
    .map((block) => {
      const actual = selectOutput(outputs[block.source] ?? "", block.select);
      if (actual === undefined) return { block, actual, ok: false, why: `the run printed no "${block.select}"` };
      const why = difference(normalise(block.body), normalise(actual));
      return why === undefined ? { block, actual, ok: true } : { block, actual, ok: false, why };
    });
}

/**
 * Runs every source the blocks name (or only `only`), once each.
 * @param {OutputBlock[]} blocks
 * @param {{ only?: string[], log?: (text: string) => void }} [options]
 * @returns {Promise<Record<string, string>>}
 */
export async function runSources(blocks, { only, log = () => undefined } = {}) {
  /** @type {Record<string, string>} */
  const outputs = {};
  for (const name of [...new Set(blocks.map((b) => b.source))]) {
    const source = SOURCES[name];
    if (!source || (only && !only.includes(name))) continue;
    // A command that runs until stopped is stopped once every block's text has appeared.
    const stops = blocks.filter((b) => b.source === name).map((b) => stopAfter(b.select));
    const stopText = stops.every((s) => s !== undefined) ? stops.at(-1) : undefined;
    log(
      `running ${source.command
        .slice(1)
        .join(" ")
        .replace(ROOT + "/", "")}`,
    );
    const r = await runForOutput(source.command, { timeoutMs: source.timeoutMs, stopText });
    outputs[name] = r.stdout;
  }
  return outputs;
}

/**
 * The output blocks of the docs, in order.
 * @param {string[]} [files] relative to the repo (or absolute); all the docs by default
 * @returns {OutputBlock[]}
 */
export const readBlocks = (files = docFiles()) => files.flatMap((file) => findBlocks(readDoc(file), file));

/**
 * Rewrites the blocks from the outputs given; returns how many changed.
 * @param {Record<string, string>} outputs
 * @param {string[]} [files]
 */
export function updateBlocks(outputs, files = docFiles()) {
  /** @type {Map<MarkedBlock, string>} */
  const bodies = new Map();
  for (const r of compareBlocks(readBlocks(files), outputs)) {
    const actual = r.actual
      ?.split("\n")
      .filter((l) => !isStateDependent(l))
      .join("\n");
    if (actual !== undefined && actual !== r.block.body) bodies.set(r.block, actual);
  }
  rewriteBlocks(bodies);
  return bodies.size;
}

/**
 * Where a block is, for messages: "docs/x.md:12 (walkthrough sdk, step 3)".
 * @param {OutputBlock} block
 */
export const where = (block) =>
  `${block.file}:${block.line} (${block.source}${block.select ? `, ${block.select}` : ""})`;
