#!/usr/bin/env zx
// @ts-check
// The docs' output blocks come from real runs and their snippets from the code:
// `check` runs the commands they show and fails when a block no longer matches
// (times, ports, pids and paths aside) or a snippet differs from its region;
// `update` rewrites both. The docs: README.md, docs/*.md, deploy/kubernetes/README.md, apps/*/README.md.
//   npx zx tools/readme.mjs check|update [--only "walkthrough sdk"] [--test-count N]
import { parseArgs } from "node:util";
import { main, printUsage, scriptArgs, ToolError, UsageError, wantsHelp } from "./cli/errors.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { say } from "./cli/console.mjs";
import { SOURCES, compareBlocks, readBlocks, runSources, updateBlocks, where } from "./checks/readme/outputs.mjs";
import { rewriteBlocks } from "./checks/readme/files.mjs";
import { checkSnippets, snippetWhere, updateSnippets } from "./checks/readme/snippets.mjs";

const USAGE = `Usage: npx zx tools/readme.mjs check|update [--only SOURCE] [--test-count N]`;
const HELP = `${USAGE}

The docs (README.md, docs/*.md, deploy/kubernetes/README.md, apps/*/README.md) mark each output block
they show with <!-- output: SOURCE[, PART] --> and each piece of code with <!-- snippet: FILE#REGION -->.
  check            compare each snippet with its region, run each SOURCE once and compare its blocks
                   (times, ports, pids, paths normalised); exit 1 on a mismatch
  update           rewrite the snippets from the code, run the sources and rewrite the blocks from the output
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
