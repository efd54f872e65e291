// @ts-check
// `demo.mjs soak`'s command line: its flag table (parsing, --help, errors)
// and the checks of the values the table cannot express. Loaded before
// anything is built or started.
import path from "node:path";
import { defineCommand, listFlag, numberFlag } from "../../cli/command.mjs";
import { ROOT } from "../../stack/paths.mjs";
import { DURABILITIES } from "../../stack/sentinel-config.mjs";
import { LANES, SENTINEL_KINDS, parseDuration, randomSeed } from "./schedule.mjs";
import { CONSISTENCIES } from "@dapr-resiliency/order-model";

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
    redis: {
      type: "string",
      choices: ["local", "sentinel"],
      default: "local",
      help: "local: one redis-server behind the fault proxy; sentinel: a primary, a replica, three Sentinels, and primary failovers instead of the Redis process and network faults",
    },
    durability: {
      type: "string",
      choices: DURABILITIES,
      help: "with --redis sentinel: async (Redis's default; the default) or safe (min-replicas-to-write 1, appendfsync always); see docs/failover.md",
    },
    partition: {
      type: "boolean",
      help: "with --redis sentinel: network partitions instead (the primary cut off from the Sentinels and the replica by iptables rules on lo while daprd still reaches it; Linux, root); counts the acknowledged orders each loses",
    },
    consistency: {
      type: "string",
      choices: CONSISTENCIES,
      help: "every app saves with this consistency (STATE_CONSISTENCY; default: none sent); strong makes daprd's Redis store WAIT for the replica",
    },
    out: { type: "string", value: "<dir>", default: "reports", help: "where soak.md, soak.json and soak.svg go" },
    render: {
      type: "string",
      value: "<soak.json>",
      help: "write soak.md and soak.svg again from a run's soak.json (into --out), run nothing",
    },
    json: { type: "boolean", help: "the result as JSON on stdout (the progress goes to stderr)" },
  },
  notes: `Fault kinds: ${Object.entries(LANES)
    .map(([lane, kinds]) => `${lane}: ${kinds.join(", ")}`)
    .join("; ")}.
With --redis sentinel: redis: ${SENTINEL_KINDS.join(", ")} (the primary SIGKILLed, the replica promoted, the old primary back as its replica); daprd as above.
Faults of one lane never overlap; faults of different lanes do. Every kind occurs at least once.`,
});

/**
 * @typedef {object} SoakOptions
 * @property {number} durationS
 * @property {number} seed
 * @property {SoakStyle[]} styles
 * @property {string} out
 * @property {boolean} json
 * @property {"local" | "sentinel"} redis
 * @property {string | undefined} render
 * @property {import("../../stack/sentinel-config.mjs").Durability} durability
 * @property {boolean} partition
 * @property {import("@dapr-resiliency/order-model").Consistency | undefined} consistency
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
  const redis = /** @type {"local" | "sentinel"} */ (values.redis);
  if (values.durability !== undefined && redis !== "sentinel")
    throw command.fail("--durability applies to --redis sentinel only (the local Redis fsyncs every write).");
  if (values.partition && redis !== "sentinel")
    throw command.fail("--partition applies to --redis sentinel only: it cuts the primary off from the Sentinels.");
  return {
    durationS,
    seed: seed ?? randomSeed(),
    styles: listFlag(values.variants, "variants", { choices: SOAK_STYLES }),
    out: path.resolve(ROOT, values.out),
    json: values.json,
    redis,
    render: values.render === undefined ? undefined : path.resolve(values.render),
    durability: /** @type {import("../../stack/sentinel-config.mjs").Durability} */ (values.durability ?? "async"),
    partition: values.partition,
    consistency: /** @type {import("@dapr-resiliency/order-model").Consistency | undefined} */ (values.consistency),
  };
}

/** The options from the arguments after `soak` (tests and callers that are not demo.mjs). @param {string[]} argv */
export const parseSoakArgs = (argv) => options(command.parse(argv));
