#!/usr/bin/env zx
// @ts-check
// README.md's output blocks come from real runs: `check` runs the commands
// they show and fails when a block no longer matches (times, ports, pids and
// paths aside); `update` rewrites the blocks from the run.
//   npx zx tools/readme.mjs check|update [--only "walkthrough sdk"] [--test-count N]
import fs from "node:fs";
import { parseArgs } from "node:util";
import { main, scriptArgs } from "./cli/main.mjs";
import { printUsage, wantsHelp } from "./cli/legacy-flags.mjs";
import { ToolError, UsageError } from "./cli/errors.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { say } from "./cli/console.mjs";
import { README, SOURCES, compareBlocks, readBlocks, runSources, updateBlocks } from "./checks/readme/outputs.mjs";
import { replaceBlocks } from "./checks/readme/blocks.mjs";

const USAGE = `Usage: npx zx tools/readme.mjs check|update [--only SOURCE] [--test-count N]`;
const HELP = `${USAGE}

README.md marks each output block it shows with <!-- output: SOURCE[, PART] -->.
  check            run each SOURCE once and compare its blocks (times, ports, pids, paths normalised); exit 1 on a mismatch
  update           run them and rewrite the blocks from the output
  --only SOURCE    just this source (repeatable): ${Object.keys(SOURCES).join(", ")}
  --test-count N   with update: only set the "npm test" summary block to "N passed, 0 failed"
                   (npm test checks that block itself after a full run)
  -h, --help       this help
The walkthrough stops and starts the project's Redis on 6379; the whole check takes about 2 minutes.`;

await main(async () => {
  const args = scriptArgs(import.meta.url).filter((a) => a !== "--");
  if (wantsHelp(args)) return printUsage(HELP);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { only: { type: "string", multiple: true }, "test-count": { type: "string" } },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), USAGE);
  }
  const [mode, ...rest] = parsed.positionals;
  if ((mode !== "check" && mode !== "update") || rest.length)
    throw new UsageError(mode ? `Unknown: ${parsed.positionals.join(" ")}` : "check or update?", USAGE);
  const only = parsed.values.only;
  const unknown = only?.find((o) => !(o in SOURCES));
  if (unknown) throw new UsageError(`Unknown source "${unknown}".`, `Sources: ${Object.keys(SOURCES).join(", ")}`);
  const testCount = parsed.values["test-count"];
  if (testCount !== undefined && !/^\d+$/.test(testCount))
    throw new UsageError(`--test-count must be a whole number, got "${testCount}"`, USAGE);

  if (testCount !== undefined) {
    if (mode !== "update") throw new UsageError("--test-count goes with update.", USAGE);
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
