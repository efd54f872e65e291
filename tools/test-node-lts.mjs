#!/usr/bin/env zx
// @ts-check
// The other Node LTS lines: the unit tests (and with --walkthrough, one
// walkthrough) on each Node major taken from the npm registry's `node`
// package (`npx -y -p node@24 -- node …`), so no system install is needed.
// CI runs it after `npm test`, which runs on the machine's Node (20).
import { spawn } from "node:child_process";
import { defineCommand, listFlag } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { ROOT } from "./stack/paths.mjs";
import { say } from "./cli/console.mjs";

export const command = defineCommand({
  usage: "npx zx tools/test-node-lts.mjs",
  about:
    "Runs the unit tests on each Node major from the npm registry's `node` package (npx -y -p node@N), then, with\n" +
    "--walkthrough, `node node_modules/zx/build/cli.js tools/demo.mjs walkthrough --variant http` on it.",
  flags: {
    node: { type: "string", value: "<majors>", default: "24,26", help: "Node majors, comma-separated" },
    walkthrough: {
      type: "boolean",
      help: "also one walkthrough per Node (about 1 minute each; stops and starts Redis on 6379)",
    },
  },
  notes: "The first use of a Node version downloads it into npm's cache (about 250 MB; 5-20 s here).",
});

/**
 * Runs `node ARGS` on the given Node major, its output shown as it comes (or, with capture, returned).
 * @param {string} major
 * @param {string[]} args
 * @param {{ capture?: boolean }} [options]
 * @returns {Promise<{ code: number, seconds: number, stdout: string }>}
 */
function onNode(major, args, { capture = false } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npx", ["-y", "-p", `node@${major}`, "--", "node", ...args], {
      cwd: ROOT,
      stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"],
    });
    let stdout = "";
    child.stdout?.on("data", (b) => (stdout += b));
    child.once("exit", (code, signal) =>
      resolve({ code: code ?? (signal ? 1 : 0), seconds: Math.round((Date.now() - started) / 100) / 10, stdout }),
    );
  });
}

await runTool(import.meta.url, command, async ({ values }) => {
  const majors = listFlag(values.node, "node");
  const bad = majors.find((m) => !/^\d+$/.test(m));
  if (bad !== undefined) throw command.fail(`--node takes Node majors like 24,26, got "${bad}".`);

  /** @type {string[]} */
  const results = [];
  for (const major of majors) {
    say("node-lts", `Node ${major}: npx -y -p node@${major} (downloaded on first use)`);
    const version = await onNode(major, ["--version"], { capture: true });
    if (version.code !== 0 || !version.stdout.startsWith(`v${major}.`)) {
      results.push(`Node ${major}: could not get node@${major} from the npm registry (${version.stdout.trim()})`);
      continue;
    }
    const v = version.stdout.trim();
    say("node-lts", `Node ${v} ready in ${version.seconds} s`);
    const unit = await onNode(major, [
      "node_modules/vitest/vitest.mjs",
      "run",
      "--config",
      "tools/vitest.config.mjs",
      "--project",
      "unit",
    ]);
    results.push(`Node ${v}: unit tests ${unit.code === 0 ? "passed" : "FAILED"} (${unit.seconds} s)`);
    if (values.walkthrough) {
      const w = await onNode(major, [
        "node_modules/zx/build/cli.js",
        "tools/demo.mjs",
        "walkthrough",
        "--variant",
        "http",
      ]);
      results.push(`Node ${v}: walkthrough --variant http ${w.code === 0 ? "passed" : "FAILED"} (${w.seconds} s)`);
    }
  }
  for (const r of results) say("node-lts", r);
  return results.some((r) => /FAILED|could not/.test(r)) ? 1 : 0;
});
