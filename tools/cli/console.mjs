// @ts-check
// Labelled, timed lines for everything the tools print, in the spirit of
// daprd's INFO[0026]: seconds since the tool started, then the source.
import { chalk } from "zx";

const t0 = Date.now();
/** @type {NodeJS.WriteStream} */
let human = process.stdout;

/** With --json the machine-readable result owns stdout; the human stream moves to stderr. */
/** @param {NodeJS.WriteStream} stream */
export function sendHumanOutputTo(stream) {
  human = stream;
}

export const secondsSinceStart = () => (Date.now() - t0) / 1000;
const stamp = (at = secondsSinceStart()) => `[${String(Math.floor(at)).padStart(4, "0")}]`;

/** @type {Record<string, (text: string) => string>} */
const COLORS = {
  app: chalk.green,
  daprd: chalk.yellow,
  walkthrough: chalk.cyan,
  setup: chalk.cyan,
  redis: chalk.red,
  compare: chalk.cyan,
};

// A spinner on the last terminal line while a tool waits. Lines printed
// meanwhile go above it: clear it, print, redraw. Only on a terminal.
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** @type {string | undefined} */
let status;
let frame = 0;
/** @type {NodeJS.Timeout | undefined} */
let timer;
const drawStatus = () =>
  status && human.write(`\r\x1b[K${chalk.cyan(FRAMES[frame++ % FRAMES.length])} ${chalk.dim(status)}`);
const clearStatus = () => status && human.write("\r\x1b[K");

/**
 * Shows `text` with a spinner until the promise settles; returns its result.
 * @template T
 * @param {string} text
 * @param {Promise<T>} promise
 * @returns {Promise<T>}
 */
export async function waiting(text, promise) {
  if (!human.isTTY) return promise;
  status = text;
  timer ??= setInterval(drawStatus, 100);
  drawStatus();
  try {
    return await promise;
  } finally {
    clearStatus();
    status = undefined;
    clearInterval(timer);
    timer = undefined;
  }
}

/**
 * One labelled line: `[0026] daprd       Circuit breaker ... opened`.
 * @param {string} source who says it: app, daprd, walkthrough, setup, redis…
 * @param {unknown} text one or more lines
 * @param {number} [at] seconds since start (default: now)
 */
export function say(source, text, at) {
  const color = COLORS[source.split(":")[0] ?? ""] ?? chalk.white;
  clearStatus();
  for (const line of String(text).split("\n")) {
    human.write(`${chalk.dim(stamp(at))} ${color(source.padEnd(11))} ${line}\n`);
  }
  drawStatus();
}

/** @param {string} text */
export const step = (text) => say("setup", text);
/** @param {string} text */
export const heading = (text) => {
  clearStatus();
  human.write(`\n${chalk.bold(text)}\n`);
};
/** @param {string} text */
export const write = (text) => {
  clearStatus();
  human.write(text);
};
