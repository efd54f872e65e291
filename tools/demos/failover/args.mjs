// @ts-check
// `demo.mjs failover`'s command line: its flag table (parsing, --help,
// errors) and the ranges of its numbers.
import { defineCommand, numberFlag } from "../../cli/command.mjs";
import { VARIANT_NAMES } from "../../stack/paths.mjs";
import { DURABILITIES, SENTINEL_TIMING } from "../../stack/sentinel-config.mjs";

export const command = defineCommand({
  usage: "npx zx tools/demo.mjs failover",
  about:
    "Redis failing over under Sentinel while the app saves orders through daprd: the primary is killed, Sentinel\n" +
    "promotes a replica, daprd's state store follows it, and every order the app reported saved is checked in Redis.",
  flags: {
    variant: {
      type: "string",
      choices: [...VARIANT_NAMES, "all"],
      default: "sdk",
      help: "which app; all runs the three one after the other",
    },
    rounds: { type: "string", value: "<n>", default: "5", help: "how many times the primary is killed, 1 to 100" },
    durability: {
      type: "string",
      choices: DURABILITIES,
      default: "async",
      help: "async: Redis's default replication; safe: min-replicas-to-write 1 and appendfsync always on every node",
    },
    replicas: { type: "string", value: "<n>", default: "1", help: "replicas beside the primary, 1 or 2" },
    "interval-ms": {
      type: "string",
      value: "<ms>",
      default: "500",
      help: "the app's pause between orders, 0 to 10000 (0 kills the primary mid-stream)",
    },
    "down-after-ms": {
      type: "string",
      value: "<ms>",
      default: String(SENTINEL_TIMING.downAfterMs),
      help: "Sentinel's down-after-milliseconds, 100 to 60000",
    },
    latency: {
      type: "boolean",
      help: 'instead of failovers: save+get latency through daprd, async vs safe vs safe + consistency "strong" (WAIT)',
    },
    ops: { type: "string", value: "<n>", default: "300", help: "with --latency: calls per setting, 10 to 100000" },
    json: { type: "boolean", help: "print the result as JSON on stdout (progress goes to stderr)" },
  },
});

/**
 * @typedef {object} FailoverOptions
 * @property {string[]} variants
 * @property {number} rounds
 * @property {import("../../stack/sentinel-config.mjs").Durability} durability
 * @property {number} replicas
 * @property {number} intervalMs
 * @property {number} downAfterMs
 * @property {boolean} latency
 * @property {number} ops
 * @property {boolean} json
 */

/** @param {string} raw  @param {string} name  @param {number} min  @param {number} max */
const whole = (raw, name, min, max) => numberFlag(raw, name, { min, max, integer: true });

/**
 * The failover's options from its parsed command line.
 * @param {ReturnType<typeof command.parse>} parsed
 * @returns {FailoverOptions}
 */
export function options({ values }) {
  return {
    variants: values.variant === "all" ? [...VARIANT_NAMES] : [values.variant],
    rounds: whole(values.rounds, "rounds", 1, 100),
    durability: /** @type {import("../../stack/sentinel-config.mjs").Durability} */ (values.durability),
    replicas: whole(values.replicas, "replicas", 1, 2),
    intervalMs: whole(values["interval-ms"], "interval-ms", 0, 10_000),
    downAfterMs: whole(values["down-after-ms"], "down-after-ms", 100, 60_000),
    latency: values.latency,
    ops: whole(values.ops, "ops", 10, 100_000),
    json: values.json,
  };
}

/** The options from the arguments after `failover` (tests and callers that are not demo.mjs). @param {string[]} argv */
export const parseFailoverArgs = (argv) => options(command.parse(argv));
