// @ts-check
// Whether node_modules matches package-lock.json, with Node built-ins only: it
// runs before anything installed is loaded (bootstrap.mjs, and entry points
// that would otherwise die on a missing package with a stack trace).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * npm writes node_modules/.package-lock.json on every install: older than the lockfile means a
 * pull or checkout changed the dependencies since.
 * @param {string} [root]
 * @returns {"missing" | "stale" | "fresh"}
 */
export function installState(root = ROOT) {
  const installed = path.join(root, "node_modules/.package-lock.json");
  if (!fs.existsSync(installed)) return "missing";
  const lock = fs.statSync(path.join(root, "package-lock.json")).mtimeMs;
  return fs.statSync(installed).mtimeMs < lock ? "stale" : "fresh";
}

/** Exit 2 with what to run, instead of the stack trace of the first package that is not there. */
export function exitUnlessInstalled(root = ROOT) {
  const state = installState(root);
  if (state === "fresh") return;
  const what =
    state === "missing"
      ? "The npm packages are not installed (no node_modules/.package-lock.json)."
      : "node_modules is older than package-lock.json: the dependencies changed since the last install.";
  process.stderr.write(`✖ ${what}\n  Run \`npm ci\` (npm start, npm test and npm run setup do it first).\n`);
  process.exit(2);
}
