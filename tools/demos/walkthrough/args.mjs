// @ts-check
// The walkthrough's command line.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../../cli/errors.mjs";
import { RESOURCES, VARIANTS } from "../../stack/paths.mjs";
import { FAULT_NAMES, parseFaultList } from "../../stack/faults.mjs";

/** The faults --fault takes. */
export const WALK_FAULTS = FAULT_NAMES.filter((f) => f !== "failover");

export const USAGE = `Usage: npx zx tools/demo.mjs walkthrough [--variant sdk|http|grpc|all] [--redis auto|docker|local]
                                       [--outage <seconds>] [--resources <dir>] [--fault <name>] [--verbose] [--json]
                                       [-- <any app command>]`;

/**
 * @typedef {object} WalkthroughArgs
 * @property {string[]} variants      "custom" for an app command
 * @property {string[] | undefined} command  the app command after `--`
 * @property {string} redis           auto, docker or local
 * @property {number | undefined} outageMs
 * @property {string} resourcesDir    the resources folder daprd loads and the policy is read from
 * @property {import("../../stack/faults.mjs").Fault | undefined} fault  --fault: instead of stopping Redis
 * @property {boolean} verbose
 * @property {boolean} json
 * @property {boolean} help
 */

/**
 * @param {string[]} argv
 * @returns {WalkthroughArgs}
 */
export function parseWalkthroughArgs(argv) {
  const dd = argv.indexOf("--");
  const command = dd >= 0 ? argv.slice(dd + 1) : undefined;
  let values;
  try {
    ({ values } = parseArgs({
      args: dd >= 0 ? argv.slice(0, dd) : argv,
      strict: true,
      options: {
        variant: { type: "string", default: "sdk" },
        redis: { type: "string", default: "auto" },
        outage: { type: "string" },
        resources: { type: "string" },
        fault: { type: "string" },
        verbose: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(/** @type {Error} */ (err).message, USAGE);
  }
  if (command && command.length === 0)
    throw new UsageError("Nothing after `--`: give the app command to check.", USAGE);
  const variants = values.variant === "all" ? Object.keys(VARIANTS) : [values.variant ?? "sdk"];
  /** @type {Record<string, unknown>} */
  const known = VARIANTS;
  if (!command && !variants.every((v) => known[v])) {
    throw new UsageError(
      `Unknown --variant "${values.variant}".`,
      `${USAGE}\nVariants: ${Object.keys(VARIANTS).join(", ")}, all`,
    );
  }
  const redis = values.redis ?? "auto";
  if (!["auto", "docker", "local"].includes(redis)) {
    throw new UsageError(`Unknown --redis "${redis}".`, USAGE);
  }
  let outageMs;
  if (values.outage !== undefined) {
    const s = Number(values.outage);
    if (!/^\d+(\.\d+)?$/.test(values.outage) || s < 1 || s > 600) {
      throw new UsageError(`--outage must be a number of seconds from 1 to 600, got "${values.outage}".`, USAGE);
    }
    outageMs = s * 1000;
  }
  const resourcesDir = values.resources === undefined ? RESOURCES : path.resolve(values.resources);
  if (!fs.existsSync(resourcesDir) || !fs.statSync(resourcesDir).isDirectory()) {
    throw new UsageError(
      `--resources "${values.resources}" is not a folder.`,
      `Pass a folder holding statestore.yaml and resiliency.yaml (a copy of resources/).\n${USAGE}`,
    );
  }
  // failover needs the Sentinel cluster of `demo.mjs failover`, which the walkthrough does not run.
  const faults = values.fault === undefined ? [] : parseFaultList(values.fault, WALK_FAULTS);
  if (faults.length > 1) throw new UsageError(`--fault takes one fault, got "${values.fault}".`, USAGE);
  const fault = faults[0];
  return {
    fault,
    variants: command ? ["custom"] : variants,
    command,
    redis,
    outageMs,
    resourcesDir,
    verbose: values.verbose ?? false,
    json: values.json ?? false,
    help: values.help ?? false,
  };
}
