#!/usr/bin/env zx
// @ts-check
// README.md's output blocks come from real runs: `check` runs the commands
// they show and fails when a block no longer matches (times, ports, pids and
// paths aside); `update` rewrites the blocks from the run.
// (`npx zx tools/readme.mjs --help` lists its options.)
import fs from "node:fs";
import { defineCommand, numberFlag } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { ToolError } from "./cli/errors.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { say } from "./cli/console.mjs";
import { README, SOURCES, compareBlocks, readBlocks, runSources, updateBlocks } from "./checks/readme/outputs.mjs";
import { replaceBlocks } from "./checks/readme/blocks.mjs";

export const command = defineCommand({
  usage: "npx zx tools/readme.mjs",
  about: "README.md marks each output block it shows with <!-- output: SOURCE[, PART] -->.",
  positionals: [
    {
      name: "action",
      required: true,
      choices: ["check", "update"],
      help:
        "check: run each SOURCE once and compare its blocks (times, ports, pids, paths normalised), exit 1 on a " +
        "mismatch; update: run them and rewrite the blocks from the output",
    },
  ],
  flags: {
    only: {
      type: "string",
      value: "<source>",
      multiple: true,
      choices: Object.keys(SOURCES),
      help: "just this source",
    },
    "test-count": {
      type: "string",
      value: "<n>",
      help: 'with update: only set the "npm test" summary block to "N passed, 0 failed" (npm test checks that block itself after a full run)',
    },
  },
  notes: "The walkthrough stops and starts the project's Redis on 6379; the whole check takes about 2 minutes.",
});

await runTool(import.meta.url, command, async ({ values, positionals: [mode] }) => {
  const only = values.only.length ? values.only : undefined;
  const testCount = numberFlag(values["test-count"], "test-count", { min: 0, max: 1_000_000, integer: true });
  if (testCount !== undefined) {
    if (mode !== "update") throw command.fail("--test-count goes with update.");
    const text = fs.readFileSync(README, "utf8");
    const summary = readBlocks().filter((b) => b.source === "npm test");
    fs.writeFileSync(README, replaceBlocks(text, new Map(summary.map((b) => [b, `${testCount} passed, 0 failed`]))));
    say("readme", `npm test summary block(s): ${summary.length}, now "${testCount} passed, 0 failed"`);
    return 0;
  }
  await ensurePrerequisites();
  const outputs = await runSources(readBlocks(), { only, log: (t) => say("readme", t) });
  if (mode === "update") {
    const changed = updateBlocks(outputs);
    say("readme", `${changed} block(s) rewritten in README.md from the run`);
    return 0;
  }
  const results = compareBlocks(readBlocks(), outputs);
  for (const r of results) {
    const where = `README.md:${r.block.line} (${r.block.source}${r.block.select ? `, ${r.block.select}` : ""})`;
    say("readme", r.ok ? `✔ ${where}` : `✘ ${where}: ${r.why}`);
  }
  const bad = results.filter((r) => !r.ok);
  if (bad.length)
    throw new ToolError(
      `${bad.length} README output block(s) no longer match a real run.`,
      "If the new output is right, rewrite them: npx zx tools/readme.mjs update",
    );
  return 0;
});
