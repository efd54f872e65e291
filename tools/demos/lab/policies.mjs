// @ts-check
// The lab's policies: the named set kept as real files in policies/ (next to
// resources/), Dapr's built-in behaviour (no resiliency file), and any
// resiliency.yaml the reader passes with --policy. Each policy is a set of
// files that replace resources/'s for a cell: resiliency.yaml (or none) and,
// for no-store-retries, statestore.yaml. Every one is checked by
// checkResources before anything starts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ToolError } from "../../cli/errors.mjs";
import { RESOURCES, ROOT } from "../../stack/paths.mjs";
import { checkResources, writeRunResources } from "../../stack/resources.mjs";

export const POLICIES_DIR = path.join(ROOT, "policies");

/**
 * @typedef {object} LabPolicy
 * @property {string} name
 * @property {string} about           one line for the report
 * @property {string | null} resiliency  the resiliency file (null: none, Dapr's built-in behaviour)
 * @property {string} [statestore]    a statestore.yaml replacing resources/'s
 * @property {boolean} [own]          the reader's (--policy)
 * @property {{ issue: string, fault: string }} [trap] a trap the lab shows: not in the matrix ("all"),
 *   run against this one fault in the default run's trap cells
 */

/** @type {readonly LabPolicy[]} */
export const POLICIES = [
  {
    name: "seed",
    about: "the seed's: constant 5 s retries forever, simpleCB opens after 5 failures for 5 s",
    resiliency: path.join(RESOURCES, "resiliency.yaml"),
  },
  {
    name: "seed-timeout",
    about: "the seed's plus a 1 s timeout on each call",
    resiliency: path.join(POLICIES_DIR, "seed-timeout", "resiliency.yaml"),
  },
  {
    name: "exponential",
    about: "exponential 250 ms → 4 s (maxInterval), at most 8 retries, 2 s timeout, the seed's breaker",
    resiliency: path.join(POLICIES_DIR, "exponential", "resiliency.yaml"),
  },
  {
    name: "fail-fast",
    about: "1 s timeout, 2 retries 200 ms apart, breaker opens after 3 failures for 2 s; the app retries",
    resiliency: path.join(POLICIES_DIR, "fail-fast", "resiliency.yaml"),
  },
  {
    name: "none",
    about: "no resiliency file: Dapr's built-in behaviour (the component's own retries only)",
    resiliency: null,
  },
  {
    name: "no-store-retries",
    about: "the seed's policy with the state store's own retries off (redisMaxRetries: \"-1\")",
    resiliency: path.join(RESOURCES, "resiliency.yaml"),
    statestore: path.join(POLICIES_DIR, "no-store-retries", "statestore.yaml"),
  },
  {
    name: "constant-maxinterval",
    about: "the seed's with `duration: 5s` written `maxInterval: 1s` (a trap: constant ignores maxInterval)",
    resiliency: path.join(POLICIES_DIR, "constant-maxinterval", "resiliency.yaml"),
    trap: { issue: "dapr/quickstarts#772", fault: "reject" },
  },
  {
    name: "no-retries",
    about: "maxRetries: 0 and no breaker (a trap: the store's client still retries below the policy)",
    resiliency: path.join(POLICIES_DIR, "no-retries", "resiliency.yaml"),
    trap: { issue: "dapr/dapr#6840", fault: "reject" },
  },
];

/** Every policy --policies takes. */
export const POLICY_NAMES = POLICIES.map((p) => p.name);
/** The matrix's (--policies all, the default): the traps run only in their own cells. */
export const MATRIX_POLICY_NAMES = POLICIES.filter((p) => !p.trap).map((p) => p.name);

/**
 * The reader's own resiliency file, named after it (its folder's name when it is called resiliency.yaml).
 * @param {string} file
 * @param {string[]} taken names already in use
 * @returns {LabPolicy}
 */
export function ownPolicy(file, taken) {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile())
    throw new ToolError(
      `--policy ${file}: no such file.`,
      "Pass a Dapr Resiliency YAML file, e.g. --policy my/resiliency.yaml",
      2,
    );
  const base = path.basename(abs).replace(/\.ya?ml$/, "");
  let name = base === "resiliency" ? path.basename(path.dirname(abs)) : base;
  for (let i = 2; taken.includes(name); i++) name = `${base}-${i}`;
  return { name, about: `your ${path.relative(process.cwd(), abs) || abs}`, resiliency: abs, own: true };
}

/**
 * A folder with resources/'s files and the policy's in place; startApp copies it and sets redisHost.
 * config.yaml is left out: daprd gets it with --config (a Configuration is not a resource).
 * @param {LabPolicy} p
 * @returns {string} the folder; removeResources(dir) deletes it
 */
export function writePolicyResources(p) {
  /** @type {Record<string, string | null>} */
  const replace = {
    "config.yaml": null,
    "resiliency.yaml": p.resiliency ? fs.readFileSync(p.resiliency, "utf8") : null,
  };
  if (p.statestore) replace["statestore.yaml"] = fs.readFileSync(p.statestore, "utf8");
  return writeRunResources({ replace });
}

/**
 * Checks a policy's files as daprd will load them: a mistake is exit 2 naming the
 * policy's own file and line (not the temporary copy's).
 * @param {LabPolicy} p
 * @returns {import("../../stack/resources.mjs").CheckedResources}
 */
export function checkPolicy(p) {
  const dir = writePolicyResources(p);
  try {
    return checkResources(dir);
  } catch (err) {
    if (err instanceof ToolError) {
      for (const [name, from] of [
        ["resiliency.yaml", p.resiliency],
        ["statestore.yaml", p.statestore],
      ]) {
        if (!from) continue;
        const tmp = path.join(dir, /** @type {string} */ (name));
        const shown = path.relative(ROOT, from).startsWith("..") ? from : path.relative(ROOT, from);
        err.message = err.message.replaceAll(tmp, shown);
      }
      err.message = `policy ${p.name}: ${err.message}`;
    }
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes a folder writePolicyResources made. @param {string} dir */
export function removeResources(dir) {
  if (dir.startsWith(os.tmpdir())) fs.rmSync(dir, { recursive: true, force: true });
}
