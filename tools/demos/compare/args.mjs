// @ts-check
// `demo.mjs compare`'s command line: its flag table (parsing, --help, errors).
import path from "node:path";
import { defineCommand, listFlag } from "../../cli/command.mjs";
import { ROOT, VARIANT_NAMES } from "../../stack/paths.mjs";

export const command = defineCommand({
  usage: "npx zx tools/demo.mjs compare",
  about:
    "The three client styles side by side on this machine: each at its limit and at the same fixed rates, with\n" +
    "the CPU of every process accounted per call; start-up and memory against a bare Node; daprd settings that\n" +
    "move the ceiling; the same Redis outage for each app; code and packages. Writes compare.md, compare.svg and\n" +
    "compare.json (about 10 minutes; `npm run compare`).",
  flags: {
    quick: {
      type: "boolean",
      help: "small samples, one shortened outage, no daprd settings (about a minute; a smoke run)",
    },
    settings: { type: "boolean", help: "also measure the daprd settings in a --quick run (the full run always does)" },
    json: { type: "boolean", help: "print the result as JSON on stdout (progress goes to stderr)" },
    variants: {
      type: "string",
      value: "<list>",
      default: VARIANT_NAMES.join(","),
      help: "which apps to compare, comma-separated; Redis direct and the ceiling always run",
    },
    out: {
      type: "string",
      value: "<dir>",
      help: "where compare.md, compare.svg and compare.json go (default: reports/ in the repo)",
    },
    render: {
      type: "string",
      value: "<file>",
      help: "measure nothing: write the report again from a compare.json (after changing the report's code)",
    },
  },
});

/**
 * @typedef {object} CompareOptions
 * @property {boolean} quick
 * @property {boolean} settings
 * @property {boolean} json
 * @property {import("../../stack/paths.mjs").VariantName[]} variants
 * @property {string} out        absolute
 * @property {string | undefined} render
 * @property {string[]} argv     as given, for the report
 */

/**
 * compare's options from its parsed command line.
 * @param {ReturnType<typeof command.parse>} parsed
 * @param {string[]} argv
 * @returns {CompareOptions}
 */
export function options({ values }, argv) {
  return {
    quick: values.quick,
    settings: values.settings,
    json: values.json,
    variants: listFlag(values.variants, "variants", { choices: VARIANT_NAMES }),
    out: values.out === undefined ? path.join(ROOT, "reports") : path.resolve(values.out),
    render: values.render,
    argv,
  };
}

/** The options from the arguments after `compare` (tests and callers that are not demo.mjs). @param {string[]} argv */
export const parseCompareArgs = (argv) => options(command.parse(argv), argv);
