// @ts-check
// A network partition on one machine: the Sentinels and the replicas make
// their outgoing connections from a second loopback address (127.0.0.2, see
// sentinel-config.mjs's `partitionable`), daprd and this tool from 127.0.0.1.
// Two iptables rules on `lo` then drop every packet between 127.0.0.2 and the
// primary's port, both ways: the Sentinels and the replica lose the primary
// while daprd still reaches it. Healing deletes exactly those two rules, on
// every way out (changeUntilRestored); no other rule is touched.
import { $, which } from "zx";
import { ToolError } from "../cli/errors.mjs";
import { changeUntilRestored } from "../cli/cleanup.mjs";
import { aptInstall } from "./apt.mjs";

/** Where the Sentinels' and the replicas' links to the primary come from; everyone else uses 127.0.0.1. */
export const PARTITION_SOURCE = "127.0.0.2";
export const CLIENT_ADDR = "127.0.0.1";

/**
 * The two rules (iptables arguments after -I/-D) that cut `port` off from PARTITION_SOURCE: packets from
 * 127.0.0.2 to the port, and from the port back to 127.0.0.2. The comment names the run that added them.
 * @param {number} port the primary's
 * @param {string} tag e.g. "dapr-resiliency partition pid 123"
 * @returns {string[][]}
 */
export function partitionRules(port, tag) {
  const common = ["-i", "lo", "-p", "tcp"];
  const tail = ["-m", "comment", "--comment", tag, "-j", "DROP"];
  return [
    ["INPUT", ...common, "-s", PARTITION_SOURCE, "-d", CLIENT_ADDR, "--dport", String(port), ...tail],
    ["INPUT", ...common, "-s", CLIENT_ADDR, "--sport", String(port), "-d", PARTITION_SOURCE, ...tail],
  ];
}

/**
 * Why a partition cannot be made here, or undefined when it can: Linux, root, iptables present.
 * @param {{ platform?: string, uid?: number, iptables?: boolean }} here
 */
export function partitionBlocker({ platform = process.platform, uid = process.getuid?.() ?? -1, iptables = true }) {
  if (platform !== "linux") return `a partition needs Linux's iptables (this is ${platform})`;
  if (uid !== 0) return "a partition adds iptables rules, which needs root (run it as root, e.g. with sudo)";
  if (!iptables)
    return "a partition needs iptables, which is not installed (as root: apt-get install iptables, or npm run setup)";
  return undefined;
}

/** Refuses (exit 2) before anything starts when no partition can be made here; as root, installs iptables. */
export async function ensurePartitionPossible() {
  const found = async () => Boolean(await which("iptables", { nothrow: true }));
  if (!partitionBlocker({}) && !(await found())) await aptInstall(["iptables"], "sudo apt-get install iptables");
  const why = partitionBlocker({ iptables: await found() });
  if (why) throw new ToolError(`--partition: ${why}.`, "Run the Sentinel soak without --partition instead.", 2);
  const probe = await $`iptables -w -S INPUT`.nothrow().quiet();
  if (probe.exitCode !== 0)
    throw new ToolError(`--partition: iptables does not work here: ${probe.stderr.trim()}`, undefined, 2);
}

/** @param {string[]} rule */
const ruleExists = async (rule) => (await $`iptables -w -C ${rule}`.nothrow().quiet()).exitCode === 0;

/**
 * Cuts `port` off from the Sentinels and the replicas; returns the heal, which deletes exactly the rules
 * added here (also run by the tool's clean-up on Ctrl-C, SIGTERM, a failure).
 * @param {number} port
 * @returns {Promise<() => Promise<void>>}
 */
export async function cutOff(port) {
  const rules = partitionRules(port, `dapr-resiliency partition pid ${process.pid}`);
  /** @type {string[][]} */
  const added = [];
  return changeUntilRestored(
    async () => {
      for (const rule of rules) {
        added.push(rule); // before the call: a signal mid-call still deletes it if it landed
        const r = await $`iptables -w -I ${rule}`.nothrow().quiet();
        if (r.exitCode !== 0) throw new Error(`iptables -I ${rule.join(" ")}: ${r.stderr.trim()}`);
      }
    },
    async () => {
      for (const rule of added.splice(0).reverse()) {
        // -D removes one copy: loop in case a retried -I added it twice; stop once it is gone.
        while (await ruleExists(rule)) await $`iptables -w -D ${rule}`.quiet();
      }
    },
  );
}

/**
 * The rules this process added that are still in place (the integration test's check that healing left none).
 * @param {number} [pid]
 */
export async function rulesLeft(pid = process.pid) {
  const r = await $`iptables -w -S INPUT`.quiet();
  return r.stdout.split("\n").filter((l) => l.includes(`dapr-resiliency partition pid ${pid}`));
}
