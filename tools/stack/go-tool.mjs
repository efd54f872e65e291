// @ts-check
// Tools built from their Go module with `go install` at the version pinned in
// tools/versions.json, kept under STATE_DIR/bin as <name>-<version> (like Dapr):
// kustomize and kubeconform for the deploy check, toxiproxy-server for the
// lab. Later runs find the binary and skip the build.
import fs from "node:fs";
import path from "node:path";
import { which } from "zx";
import { ToolError } from "../cli/errors.mjs";
import { step } from "../cli/console.mjs";
import { run, tail } from "../cli/run.mjs";
import { STATE_DIR } from "./paths.mjs";

export const TOOLS_BIN = path.join(STATE_DIR, "bin");

/**
 * @typedef {object} GoTool
 * @property {string} name      the binary's name under TOOLS_BIN (with -<version>)
 * @property {string} module    the package path `go install` builds (no version suffix)
 * @property {string} version   without the leading v
 * @property {string} built     the name `go install` gives the binary (the last path element)
 * @property {string} neededBy  who needs it, for messages: "the deploy check", "the lab"
 * @property {string} rerun     the command to run again once Go is there
 */

/**
 * @param {string} what what needs Go
 * @param {string} neededBy
 * @param {string} rerun
 */
export async function requireGo(what, neededBy, rerun) {
  const go = await which("go", { nothrow: true });
  if (!go)
    throw new ToolError(
      `Go is not installed, and ${neededBy} needs it to build ${what} from its Go module.`,
      `Install Go 1.26+ (https://go.dev/dl/ or your package manager) and run \`${rerun}\` again.`,
    );
  return go;
}

/** Where a tool's binary is (or will be). @param {Pick<GoTool, "name" | "version">} t */
export const goToolPath = (t) => path.join(TOOLS_BIN, `${t.name}-${t.version}`);

/**
 * The tool's binary, built with `go install module@vVERSION` when it is missing.
 * @param {GoTool} t
 * @returns {Promise<string>}
 */
export async function ensureGoTool(t) {
  const bin = goToolPath(t);
  if (fs.existsSync(bin)) return bin;
  const spec = `${t.module}@v${t.version}`;
  const go = await requireGo(`${t.name} ${t.version}`, t.neededBy, t.rerun);
  step(`installing ${t.name} ${t.version} (go install ${spec})`);
  const started = Date.now();
  fs.mkdirSync(STATE_DIR, { recursive: true });
  // Into a folder of its own first, so that an interrupted install leaves nothing half-written at `bin`.
  const gobin = fs.mkdtempSync(path.join(STATE_DIR, `.gobin-${t.name}-`));
  try {
    const r = await run(go, ["install", spec], { env: { ...process.env, GOBIN: gobin, CGO_ENABLED: "0" } });
    if (r.code !== 0)
      throw new ToolError(
        `go install ${spec} failed:\n${tail(r)}`,
        "Check that the Go module proxy is reachable (go env GOPROXY) and that Go is 1.26 or newer (go version).",
      );
    fs.mkdirSync(TOOLS_BIN, { recursive: true });
    fs.renameSync(path.join(gobin, t.built), bin);
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
  step(`installed ${t.name} ${t.version} in ${Math.round((Date.now() - started) / 1000)} s: ${bin}`);
  return bin;
}
