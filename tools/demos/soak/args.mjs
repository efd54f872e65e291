// @ts-check
// `demo.mjs soak`'s command line: its flag table (parsing, --help, errors)
// and the checks of the values the table cannot express.
import path from "node:path";
import { defineCommand, listFlag, numberFlag } from "../../cli/command.mjs";
import { ROOT } from "../../stack/paths.mjs";
import { LANES, parseDuration, randomSeed } from "./schedule.mjs";

/** The client rows a soak can run: compare's four. */
export const SOAK_STYLES = /** @type {const} */ (["sdk", "sdk-grpc", "http", "grpc"]);
/** @typedef {typeof SOAK_STYLES[number]} SoakStyle */

export const command = defineCommand({
  usage: "npx zx tools/demo.mjs soak",
  about:
    "The four client rows of `compare` at once, each beside its own daprd, on one Redis, under a seeded schedule of random, overlapping faults; then a checker: no order skipped, repeated or lost, no app exit, each app saving again after every fault.",
  flags: {
    duration: { type: "string", value: "<time>", default: "10m", help: "how long: 90s, 3m, 1h, 1h30m (at least 2m)" },
    seed: {
      type: "string",
      value: "<n>",
      help: "the schedule's seed (default: a random one, printed); the report's seed replays a run",
    },
    variants: {
      type: "string",
      value: "<list>",
      default: SOAK_STYLES.join(","),
      help: `which client rows, comma-separated: any of ${SOAK_STYLES.join(",")}`,
    },
    out: { type: "string", value: "<dir>", default: "reports", help: "where soak.md, soak.json and soak.svg go" },
    json: { type: "boolean", help: "the result as JSON on stdout (the progress goes to stderr)" },
  },
  notes: `Fault kinds: ${Object.entries(LANES)
    .map(([lane, kinds]) => `${lane}: ${kinds.join(", ")}`)
    .join("; ")}.
Faults of one lane never overlap; faults of different lanes do. Every kind occurs at least once.`,
});

/**
 * @typedef {object} SoakOptions
 * @property {number} durationS
 * @property {number} seed
 * @property {SoakStyle[]} styles
 * @property {string} out
 * @property {boolean} json
 */

/**
 * The soak's options from its parsed command line.
 * @param {ReturnType<typeof command.parse>} parsed
 * @returns {SoakOptions}
 */
export function options({ values }) {
  const durationS = parseDuration(values.duration);
  if (durationS === undefined)
    throw command.fail(`--duration "${values.duration}" is not a duration: give e.g. 90s, 3m or 1h.`);
  if (durationS < 120)
    throw command.fail(`--duration ${values.duration} is too short: every fault kind needs a place; give at least 2m.`);
  const seed = numberFlag(values.seed, "seed", { min: 0, max: 2 ** 32 - 1, integer: true });
  return {
    durationS,
    seed: seed ?? randomSeed(),
    styles: listFlag(values.variants, "variants", { choices: SOAK_STYLES }),
    out: path.resolve(ROOT, values.out),
    json: values.json,
  };
}

/** The options from the arguments after `soak` (tests and callers that are not demo.mjs). @param {string[]} argv */
export const parseSoakArgs = (argv) => options(command.parse(argv));
