#!/usr/bin/env node
// @ts-check
// First step of `npm start` and `npm test` on a fresh clone: install the npm
// dependencies when node_modules is missing or older than the lockfile.
// Node built-ins only, since nothing else is installed yet.
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { installState } from "./cli/installed.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  console.error(
    `✖ Node ${process.versions.node} is too old; this project needs Node 20 or newer (tested: 20, 24 and 26).`,
  );
  process.exit(1);
}
if (installState(root) !== "fresh") {
  console.log("[setup] installing npm dependencies (npm ci)");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error("✖ npm ci failed; see the output above. Is the npm registry reachable?");
    process.exit(r.status ?? 1);
  }
}
