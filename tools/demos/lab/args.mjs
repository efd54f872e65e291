// @ts-check
// The lab's command line, on the one harness (cli/command.mjs).
import os from "node:os";
import path from "node:path";
import { defineCommand, numberFlag } from "../../cli/command.mjs";
import { ROOT, VARIANT_NAMES, VARIANTS } from "../../stack/paths.mjs";
import { FAULT_NAMES, parseFaultList } from "../../stack/faults.mjs";
import { MATRIX_POLICY_NAMES, POLICIES, POLICY_NAMES, ownPolicy } from "./policies.mjs";

/** The faults the lab runs: every one of the catalogue (failover on a Sentinel cluster of its cell's own). */
export const LAB_FAULTS = FAULT_NAMES;
/** The trap policies, each with the one fault that shows it. */
export const TRAPS = POLICIES.filter((p) => p.trap);
/** --quick: the relations its integration test checks, at fault lengths that let the seed's breaker open. */
export const QUICK = { policies: "seed,fail-fast", faults: "hang,refuse", faultS: 45 };

export const command = defineCommand({
  usage: "npx zx tools/demo.mjs lab",
  about:
    "Every chosen policy under every chosen fault between daprd and Redis (a real Toxiproxy), each cell with a fresh\n" +
    "Redis, daprd and app, the orders audited afterwards. Writes lab.md, lab.svg and lab.json.",
  flags: {
    policies: {
      type: "string",
      value: "<a,b|all>",
      help: `policies from policies/ to run (${POLICY_NAMES.join(", ")}; all: ${MATRIX_POLICY_NAMES.join(", ")})`,
      default: "all",
    },
    policy: { type: "string", value: "<file>", multiple: true, help: "a resiliency.yaml of your own (more than once)" },
    faults: { type: "string", value: "<a,b|all>", help: `faults to hold (${LAB_FAULTS.join(", ")})`, default: "all" },
    "fault-s": { type: "string", value: "<seconds>", help: "how long each fault is held", default: "15" },
    variant: { type: "string", choices: VARIANT_NAMES, help: "which app", default: "sdk" },
    parallel: { type: "string", choices: ["1", "2"], help: "cells run at the same time", default: "2" },
    quick: { type: "boolean", help: `${QUICK.policies} × ${QUICK.faults}, ${QUICK.faultS} s faults (the test's run)` },
    traps: {
      type: "boolean",
      help: `also the trap cells (${TRAPS.map((p) => `${p.name} × ${p.trap?.fault}`).join(", ")}); on when neither --policies, --policy, --faults nor --quick is given`,
    },
    reload: { type: "boolean", help: "also: change the policy file mid-fault and measure when daprd applies it" },
    out: {
      type: "string",
      value: "<dir>",
      help: "where lab.md, lab.svg, lab.json go (default: reports/; --quick: a temp folder)",
    },
    render: {
      type: "string",
      value: "<lab-runs.json>",
      help: "measure nothing: write the reports again from a run's lab-runs.json",
    },
    json: { type: "boolean", help: "print the result as JSON on stdout (progress goes to stderr)" },
    verbose: { type: "boolean", help: "show every app and daprd line" },
  },
  rest: "<app command>",
  notes: `Faults:\n${LAB_FAULTS.map((f) => `  ${f}`).join("\n")}\nPolicies:\n${POLICIES.map((p) => `  ${p.name.padEnd(17)}${p.about}`).join("\n")}`,
});

/**
 * @typedef {object} LabArgs
 * @property {import("./policies.mjs").LabPolicy[]} policies
 * @property {import("../../stack/faults.mjs").Fault[]} faults
 * @property {number} faultMs
 * @property {string[]} command the app
 * @property {string} appLabel
 * @property {number} parallel
 * @property {boolean} quick
 * @property {boolean} reload
 * @property {import("./policies.mjs").LabPolicy[]} traps the trap cells to run after the matrix, each against its `trap.fault`
 * @property {string} out
 * @property {boolean} json
 * @property {boolean} verbose
 * @property {string | undefined} render
 */

/**
 * The lab's options from its parsed command line.
 * @param {ReturnType<typeof command.parse>} parsed
 * @param {string[]} argv  as given: --quick yields to a flag given explicitly
 * @returns {LabArgs}
 */
export function options({ values: v, rest }, argv) {
  const quick = v.quick === true;
  const explicit = (/** @type {string} */ flag) => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  const policyList = quick && !explicit("policies") ? QUICK.policies : String(v.policies);
  const faultList = quick && !explicit("faults") ? QUICK.faults : String(v.faults);
  const faultS =
    quick && !explicit("fault-s") ? QUICK.faultS : numberFlag(String(v["fault-s"]), "fault-s", { min: 2, max: 300 });
  const own = /** @type {string[]} */ (v.policy ?? []);
  const names =
    policyList === "all" ? MATRIX_POLICY_NAMES : policyList === "" ? [] : policyList.split(",").map((s) => s.trim());
  const unknown = names.find((n) => !POLICY_NAMES.includes(n));
  if (unknown)
    throw command.fail(`Unknown policy "${unknown}". Valid: ${POLICY_NAMES.join(", ")} (or --policy <file>).`);
  const policies = names.map(
    (n) => /** @type {import("./policies.mjs").LabPolicy} */ (POLICIES.find((p) => p.name === n)),
  );
  for (const f of own)
    policies.push(
      ownPolicy(
        f,
        policies.map((p) => p.name),
      ),
    );
  if (!policies.length) throw command.fail("No policy to run: give --policies or --policy <file>.");
  const variant = /** @type {import("../../stack/paths.mjs").VariantName} */ (v.variant);
  return {
    policies,
    faults: parseFaultList(faultList, LAB_FAULTS),
    faultMs: (faultS ?? 15) * 1000,
    command: rest ?? [process.execPath, VARIANTS[variant].main],
    appLabel: rest ? rest.join(" ") : VARIANTS[variant].project,
    parallel: Number(v.parallel),
    quick,
    reload: v.reload === true,
    traps:
      v.traps === true || (!quick && !explicit("policies") && !explicit("faults") && !own.length) ? [...TRAPS] : [],
    out: v.out
      ? path.resolve(String(v.out))
      : quick
        ? path.join(os.tmpdir(), "dapr-lab-quick")
        : path.join(ROOT, "reports"),
    json: v.json === true,
    verbose: v.verbose === true,
    render: v.render ? path.resolve(String(v.render)) : undefined,
  };
}

/** The options from the arguments after `lab` (tests and callers that are not demo.mjs). @param {string[]} argv */
export const parseLabArgs = (argv) => options(command.parse(argv), argv);
