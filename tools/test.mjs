#!/usr/bin/env zx
// npm test: set up what the tests need (Dapr, Redis, placement, scheduler,
// built apps), then run every Vitest project: unit, then integration
// against real daprd and Redis. Ends with a plain "N passed, N failed" line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { main, scriptArgs } from "./lib/errors.mjs";
import { ensurePrerequisites } from "./lib/prerequisites.mjs";
import { ROOT } from "./lib/paths.mjs";
import { step } from "./lib/console.mjs";

await main(async () => {
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
      ...scriptArgs(import.meta.url),
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
  const code = await new Promise((r) => vitest.once("exit", (c, s) => r(c ?? (s ? 1 : 0))));
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    fs.rmSync(report, { force: true });
    console.log(
      `\n${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""}`,
    );
  }
  return code;
});
