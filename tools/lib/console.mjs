// Labelled, timed lines for everything the tools print, in the spirit of
// daprd's INFO[0026]: seconds since the tool started, then the source.
import { chalk } from "zx";

const t0 = Date.now();
let human = process.stdout;

/** With --json the machine-readable result owns stdout; the human stream moves to stderr. */
export function sendHumanOutputTo(stream) {
  human = stream;
}

export const secondsSinceStart = () => (Date.now() - t0) / 1000;
export const stamp = (at = secondsSinceStart()) => `[${String(Math.floor(at)).padStart(4, "0")}]`;

const COLORS = { app: chalk.green, daprd: chalk.yellow, walkthrough: chalk.cyan, setup: chalk.cyan, redis: chalk.red, compare: chalk.cyan };

/** One labelled line: `[0026] daprd       Circuit breaker ... opened`. */
export function say(source, text, at) {
  const color = COLORS[source.split(":")[0]] ?? chalk.white;
  for (const line of String(text).split("\n")) {
    human.write(`${chalk.dim(stamp(at))} ${color(source.padEnd(11))} ${line}\n`);
  }
}

export const step = (text) => say("setup", text);
export const heading = (text) => human.write(`\n${chalk.bold(text)}\n`);
export const write = (text) => human.write(text);
