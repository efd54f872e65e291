// @ts-check
// `demo.mjs failover` flags → options; anything else is a UsageError.
import { UsageError, parseFlags } from "../../cli/errors.mjs";
import { DURABILITIES, SENTINEL_TIMING } from "../../stack/sentinel-config.mjs";

export const USAGE = `Usage: npx zx tools/demo.mjs failover [--variant sdk|http|grpc|all] [--rounds N] [--json]
                                    [--durability async|safe] [--replicas 1|2] [--interval-ms MS]
                                    [--down-after-ms MS] [--latency [--ops N]]
  --variant      which app (default sdk); all runs the three one after the other
  --rounds       how many times the primary is killed (default 5, 1 to 100)
  --durability   async: Redis's default replication; safe: min-replicas-to-write 1 and
                 appendfsync always on every node (default async)
  --replicas     replicas beside the primary (default 1)
  --interval-ms  the app's pause between orders (default 500; 0 kills the primary mid-stream)
  --down-after-ms  Sentinel's down-after-milliseconds (default 2000)
  --latency      instead of failovers: save+get latency through daprd, async vs safe vs
                 safe + consistency "strong" (WAIT), side by side; --ops per setting (default 300)
  --json         print the result as JSON on stdout (progress goes to stderr)`;

const VARIANT_NAMES = ["sdk", "http", "grpc"];

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
 * @property {boolean} help
 */

/**
 * @param {string} raw
 * @param {string} flag
 * @param {number} min
 * @param {number} max
 */
function whole(raw, flag, min, max) {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}".`, USAGE);
  return Number(raw);
}

/**
 * @param {string[]} argv
 * @returns {FailoverOptions}
 */
export function parseFailoverArgs(argv) {
  const values = parseFlags(
    argv,
    {
      variant: { type: "string", default: "sdk" },
      rounds: { type: "string", default: "5" },
      durability: { type: "string", default: "async" },
      replicas: { type: "string", default: "1" },
      "interval-ms": { type: "string", default: "500" },
      "down-after-ms": { type: "string", default: String(SENTINEL_TIMING.downAfterMs) },
      latency: { type: "boolean", default: false },
      ops: { type: "string", default: "300" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    USAGE,
  );
  const variants = values.variant === "all" ? VARIANT_NAMES : [values.variant];
  if (!variants.every((v) => VARIANT_NAMES.includes(v)))
    throw new UsageError(`Unknown --variant "${values.variant}"; use sdk, http, grpc or all.`, USAGE);
  const durability = /** @type {import("../../stack/sentinel-config.mjs").Durability} */ (values.durability);
  if (!DURABILITIES.includes(durability))
    throw new UsageError(`Unknown --durability "${values.durability}"; use ${DURABILITIES.join(" or ")}.`, USAGE);
  return {
    variants,
    rounds: whole(values.rounds, "--rounds", 1, 100),
    durability,
    replicas: whole(values.replicas, "--replicas", 1, 2),
    intervalMs: whole(values["interval-ms"], "--interval-ms", 0, 10_000),
    downAfterMs: whole(values["down-after-ms"], "--down-after-ms", 100, 60_000),
    latency: values.latency,
    ops: whole(values.ops, "--ops", 10, 100_000),
    json: values.json,
    help: values.help,
  };
}
