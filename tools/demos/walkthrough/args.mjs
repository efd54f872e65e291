// @ts-check
// The walkthrough's command line: its flag table (parsing, --help, errors)
// and the checks of the values the table cannot express.
import fs from "node:fs";
import path from "node:path";
import { defineCommand, numberFlag } from "../../cli/command.mjs";
import { RESOURCES, VARIANT_NAMES } from "../../stack/paths.mjs";
import { REDIS_FLAG } from "../../stack/redis.mjs";
import { FAULTS, FAULT_NAMES, fault } from "../../stack/faults.mjs";

/** The faults --fault takes: all of the catalogue (failover on a Sentinel cluster the walkthrough starts). */
export const WALK_FAULTS = FAULT_NAMES;

export const command = defineCommand({
  usage: "npx zx tools/demo.mjs walkthrough",
  about:
    'The Dapr quickstart "Resiliency: State Management", replayed and checked step by step: the app saves orders,\n' +
    "Redis is stopped, daprd retries and its circuit breaker opens, Redis is started again, daprd recovers and\n" +
    "no order is lost. `npm start` runs it with the defaults.",
  flags: {
    variant: {
      type: "string",
      choices: [...VARIANT_NAMES, "all"],
      default: "sdk",
      help: "which app: sdk-app, http-app, grpc-app, or all three one after the other",
    },
    redis: REDIS_FLAG,
    outage: {
      type: "string",
      value: "<seconds>",
      help: "keep Redis down at least this long, 1 to 600 (default: until the breaker has opened, half-opened and opened again)",
    },
    resources: {
      type: "string",
      value: "<dir>",
      help: "the resources folder daprd loads and the policy is read from (default: resources/)",
    },
    fault: {
      type: "string",
      value: "<name>",
      help: "another fault instead of stopping Redis (listed below)",
    },
    verbose: { type: "boolean", help: "all of daprd's lines, not just the resiliency, component and error ones" },
    json: { type: "boolean", help: "print the result as JSON on stdout (progress goes to stderr)" },
  },
  rest: "<any app command>",
  restHelp: "an order-processor of your own, checked instead of a variant (see below)",
  notes:
    "An app command after `--` (e.g. -- python3 app.py) runs beside daprd instead of a variant, with app id\n" +
    "order-processor, DAPR_HTTP_PORT, DAPR_GRPC_PORT and DAPR_HOST set; it is followed by the lines the Dapr\n" +
    "state-management quickstarts print (Saving Order: …). The walkthrough stops and starts the project's Redis\n" +
    "on 127.0.0.1:6379.\n\n--fault:\n" +
    FAULTS.filter((f) => WALK_FAULTS.includes(f.name))
      .map((f) => `  ${f.name.padEnd(8)} ${f.does}`)
      .join("\n"),
});

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
 */

/**
 * The walkthrough's options from its parsed command line.
 * @param {ReturnType<typeof command.parse>} parsed
 * @returns {WalkthroughArgs}
 */
export function options({ values, rest }) {
  const seconds = numberFlag(values.outage, "outage", { min: 1, max: 600, unit: "seconds" });
  const resourcesDir = values.resources === undefined ? RESOURCES : path.resolve(values.resources);
  if (!fs.existsSync(resourcesDir) || !fs.statSync(resourcesDir).isDirectory()) {
    throw command.fail(
      `--resources "${values.resources}" is not a folder.`,
      "Pass a folder holding statestore.yaml and resiliency.yaml (a copy of resources/).",
    );
  }
  return {
    fault: values.fault === undefined ? undefined : walkthroughFault(values.fault),
    variants: rest ? ["custom"] : values.variant === "all" ? [...VARIANT_NAMES] : [values.variant],
    command: rest,
    redis: values.redis,
    outageMs: seconds === undefined ? undefined : seconds * 1000,
    resourcesDir,
    verbose: values.verbose,
    json: values.json,
  };
}

/**
 * One fault of the catalogue the walkthrough can replay; the messages say where the others run.
 * @param {string} name
 */
function walkthroughFault(name) {
  if (name.includes(","))
    throw command.fail(
      `--fault takes one fault, got "${name}".`,
      `Several faults side by side: npx zx tools/demo.mjs lab --faults ${name}`,
    );
  return fault(name);
}

/** The options from the arguments after `walkthrough` (tests and callers that are not demo.mjs). @param {string[]} argv */
export const parseWalkthroughArgs = (argv) => options(command.parse(argv));
