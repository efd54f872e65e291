#!/usr/bin/env zx
// @ts-check
// The docs' output blocks come from real runs and their snippets from the code:
// `check` runs the commands they show and fails when a block no longer matches
// (times, ports, pids and paths aside) or a snippet differs from its region;
// `update` rewrites both. (`npx zx tools/readme.mjs --help` lists its options.)
import { defineCommand, numberFlag } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { ToolError } from "./cli/errors.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { say } from "./cli/console.mjs";
import { SOURCES, compareBlocks, readBlocks, runSources, updateBlocks, where } from "./checks/readme/outputs.mjs";
import { rewriteBlocks } from "./checks/readme/files.mjs";
import { checkSnippets, snippetWhere, updateSnippets } from "./checks/readme/snippets.mjs";

export const command = defineCommand({
  usage: "npx zx tools/readme.mjs",
  about:
    "The docs (README.md, docs/*.md, deploy/kubernetes/README.md, apps/*/README.md) mark each output block\n" +
    "they show with <!-- output: SOURCE[, PART] --> and each piece of code with <!-- snippet: FILE#REGION -->.",
  positionals: [
    {
      name: "action",
      required: true,
      choices: ["check", "update"],
      help:
        "check: compare each snippet with its region, run each SOURCE once and compare its blocks (times, ports, " +
        "pids, paths normalised), exit 1 on a mismatch; update: rewrite the snippets from the code, run the sources " +
        "and rewrite the blocks from the output",
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
    const summary = readBlocks().filter((b) => b.source === "npm test");
    rewriteBlocks(new Map(summary.map((b) => [b, `${testCount} passed, 0 failed`])));
    say(
      "readme",
      `npm test summary block(s): ${summary.map((b) => `${b.file}:${b.line}`).join(", ") || "none"}, now "${testCount} passed, 0 failed"`,
    );
    return 0;
  }
  if (mode === "update") {
    say("readme", `${updateSnippets()} snippet(s) rewritten from the code`);
    await ensurePrerequisites();
    const changed = updateBlocks(await runSources(readBlocks(), { only, log: (t) => say("readme", t) }));
    say("readme", `${changed} output block(s) rewritten from the run`);
    return 0;
  }
  const snippets = checkSnippets();
  for (const r of snippets) say("readme", r.ok ? `✔ ${snippetWhere(r.block)}` : `✘ ${snippetWhere(r.block)}: ${r.why}`);
  await ensurePrerequisites();
  const blocks = readBlocks();
  const results = compareBlocks(blocks, await runSources(blocks, { only, log: (t) => say("readme", t) }));
  for (const r of results) say("readme", r.ok ? `✔ ${where(r.block)}` : `✘ ${where(r.block)}: ${r.why}`);
  const bad = [...snippets, ...results].filter((r) => !r.ok);
  if (bad.length)
    throw new ToolError(
      `${bad.length} block(s) in the docs no longer match the code or a real run.`,
      "If the code and the new output are right, rewrite them: npx zx tools/readme.mjs update",
    );
  return 0;
});
