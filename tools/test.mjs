#!/usr/bin/env zx
// @ts-check
// npm test: set up what the tests need (Dapr, Redis, placement, scheduler,
// built apps), then run every Vitest project: unit, then integration
// against real daprd and Redis. Ends with a plain "N passed, N failed" line.
// After a full run (no arguments) it checks the docs against the run: the
// summary it shows, and the output blocks of the walkthrough and
// `nx run http-app:dapr` (tools/readme.mjs check, about 2 minutes).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { defineCommand } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { ROOT } from "./stack/paths.mjs";
import { say, step } from "./cli/console.mjs";
import { compareBlocks, readBlocks, runSources, where } from "./checks/readme/outputs.mjs";

export const command = defineCommand({
  usage: "npm test --",
  about:
    "Installs and starts what the tests need, then runs every test (Vitest: the unit project, then integration\n" +
    'against real daprd and Redis), and prints "N passed, N failed". Without arguments it then checks the docs\n' +
    "against the run: README.md's \"N passed\" summary and the docs' output blocks of the walkthrough and\n" +
    "`npx nx run http-app:dapr` (their real output; about 2 minutes).",
  flags: {},
  rest: "<vitest args>",
  restOnly: true,
  restHelp: "passed to `vitest run` unchanged (vitest's own help: npx vitest --help)",
  notes:
    "  npm test -- tools/bad-input.spec.mjs     one file\n" +
    "  npm test -- --project unit               the unit tests only",
});

/**
 * The docs' "npm test" summary (README.md's) against this run's numbers.
 * @param {number} passed
 * @returns {string[]} problems, empty when it matches
 */
function checkSummary(passed) {
  const blocks = readBlocks().filter((b) => b.source === "npm test");
  if (!blocks.length) return ['No doc has a "<!-- output: npm test, summary -->" block (README.md should).'];
  return blocks
    .filter((b) => b.body.trim() !== `${passed} passed, 0 failed`)
    .map(
      (b) =>
        `${b.file}:${b.line} says "${b.body.trim()}", this run: ${passed} passed, 0 failed. If the new count is right: npx zx tools/readme.mjs update --test-count ${passed}`,
    );
}

/** The walkthrough's and `nx run http-app:dapr`'s blocks against a real run of each. */
async function checkOutputs() {
  const blocks = readBlocks();
  const results = compareBlocks(blocks, await runSources(blocks, { log: (t) => say("readme", t) }));
  return results
    .filter((r) => !r.ok)
    .map((r) => `${where(r.block)}: ${r.why}. If the new output is right: npx zx tools/readme.mjs update`);
}

await runTool(import.meta.url, command, async ({ rest: args = [] }) => {
  await ensurePrerequisites();
  const report = path.join(os.tmpdir(), `vitest-${process.pid}.json`);
  step("running the tests (vitest run --config tools/vitest.config.mjs)");
  const vitest = spawn(
    process.execPath,
    [
      path.join(ROOT, "node_modules/vitest/vitest.mjs"),
      "run",
      "--config",
      "tools/vitest.config.mjs",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...args,
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
  /** @type {number} */
  const code = await new Promise((r) => vitest.once("exit", (c, s) => r(c ?? (s ? 1 : 0))));
  if (!fs.existsSync(report)) return code || 1;
  const r = JSON.parse(fs.readFileSync(report, "utf8"));
  fs.rmSync(report, { force: true });
  const summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""}`;
  if (code !== 0 || args.length) {
    console.log(`\n${summary}`);
    return code;
  }
  step("checking the docs against this run");
  const problems = [...checkSummary(r.numPassedTests), ...(await checkOutputs())];
  for (const p of problems) say("readme", `✘ ${p}`);
  console.log(`\n${summary}${problems.length ? `; docs out of date (${problems.length})` : ""}`);
  return problems.length ? 1 : 0;
});
