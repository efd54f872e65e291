// @ts-check
// Makes sure a real Dapr is installed: the `dapr` CLI on PATH and daprd,
// placement and scheduler in ~/.dapr/bin. An existing install of the pinned
// runtime line (a laptop after `dapr init`) is used as it is. Otherwise, since
// `dapr init` cannot download here, the binaries are built from their Go
// modules and laid out the way `dapr init --slim` leaves ~/.dapr.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { $, which } from "zx";
import { DAPR_BIN, DAPR_HOME, ROOT, STATE_DIR, VERSIONS } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { step } from "../cli/console.mjs";

const RUNTIME_BINARIES = ["daprd", "placement", "scheduler"];
/** The Go wrapper modules Dapr is built from (tools/stack/dapr-runtime, tools/stack/dapr-cli). */
export const GO_MODULES = {
  runtime: path.join(ROOT, "tools/stack/dapr-runtime"),
  cli: path.join(ROOT, "tools/stack/dapr-cli"),
};
// Where Dapr's own installer puts the CLI when it may (root); otherwise beside daprd.
const CLI_SYSTEM = "/usr/local/bin/dapr";
const CLI_USER = path.join(DAPR_BIN, "dapr");
const CLI_TARGETS = [CLI_SYSTEM, CLI_USER];
/** @param {string | undefined} v e.g. 1.18.2  @returns {string | undefined} e.g. 1.18 */
const minor = (v) => v?.split(".").slice(0, 2).join(".");

/**
 * @param {string} bin
 * @returns {Promise<string | undefined>} what `bin --version` prints, if it runs
 */
async function version(bin, args = ["--version"]) {
  if (!fs.existsSync(bin)) return undefined;
  const out = await $`${bin} ${args}`.nothrow().quiet().timeout("10s");
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

/**
 * The dapr CLI: on PATH, or where installCli() puts it (which PATH may lack).
 * @returns {Promise<string | undefined>}
 */
export async function findCli() {
  const onPath = await which("dapr", { nothrow: true });
  if (onPath) return onPath;
  return CLI_TARGETS.find((p) => fs.existsSync(p));
}

/**
 * What is installed: the CLI's path and version, the runtime's version, the runtime binaries missing from ~/.dapr/bin.
 * @typedef {{ cli: string | undefined, cliVersion: string | undefined, runtime: string | undefined, missing: string[] }} DaprInstall
 */

/**
 * What is installed now.
 * @returns {Promise<DaprInstall>}
 */
async function inspectDapr() {
  const cli = await findCli();
  const cliOut = cli ? await version(cli, ["--version"]) : undefined;
  const cliVersion = /CLI version:\s*(\S+)/.exec(cliOut ?? "")?.[1];
  const runtime = await version(path.join(DAPR_BIN, "daprd"));
  const missing = RUNTIME_BINARIES.filter((b) => !fs.existsSync(path.join(DAPR_BIN, b)));
  return { cli, cliVersion, runtime, missing };
}

/** @param {DaprInstall} found */
function needsRuntime(found) {
  return found.missing.length > 0 || minor(found.runtime) !== minor(VERSIONS.daprRuntime);
}

/**
 * Builds with Go, printing a line per 50 packages compiled so a long cold build shows progress.
 * @param {string} title
 * @param {string} cwd the Go wrapper module
 * @param {string[]} args after `go build -v`
 */
async function goBuild(title, cwd, args) {
  const started = Date.now();
  let packages = 0;
  let modules = 0;
  const p = $({ cwd, env: { ...process.env, CGO_ENABLED: "0" } })`go build -v ${args}`.nothrow().quiet();
  p.stderr.on("data", (chunk) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      if (line.startsWith("go: downloading")) {
        if (++modules % 100 === 0)
          step(`${title}: ${modules} Go modules downloaded, ${Math.round((Date.now() - started) / 1000)} s`);
      } else if (++packages % 50 === 0) {
        step(`${title}: ${packages} packages compiled, ${Math.round((Date.now() - started) / 1000)} s`);
      }
    }
  });
  const out = await p;
  if (out.exitCode !== 0) {
    throw new ToolError(
      `${title} failed:\n${out.stderr
        .split("\n")
        .filter((l) => !/^[\w./-]+$/.test(l))
        .slice(-15)
        .join("\n")}`,
      "Check that the Go module proxy is reachable (go env GOPROXY) and that Go is 1.26 or newer (go version).",
    );
  }
  step(`${title}: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** What of Dapr is missing, for messages: "the dapr CLI on PATH; daprd, placement in ~/.dapr/bin". */
/** @param {DaprInstall} found */
function describeMissing(found) {
  const parts = [];
  if (!found.cli) parts.push("the dapr CLI on PATH");
  if (found.missing.length) parts.push(`${found.missing.join(", ")} in ${DAPR_BIN}`);
  else if (needsRuntime(found))
    parts.push(
      `runtime ${minor(VERSIONS.daprRuntime)}.x in ${DAPR_BIN} (its daprd is ${found.runtime ?? "not runnable"})`,
    );
  return parts.join("; ");
}

/** @param {DaprInstall} found */
async function requireGo(found) {
  const go = await which("go", { nothrow: true });
  if (!go) {
    throw new ToolError(
      `Dapr is not installed here (missing: ${describeMissing(found)}), and Go is not there to build it.`,
      "Either install Dapr (the dapr CLI, then `dapr init --slim`), or install Go 1.26+ and run this again:\n" +
        "it then builds the Dapr CLI and runtime from their Go modules (about 10 minutes on 2 cores).",
    );
  }
  return go;
}

async function buildRuntime() {
  const out = path.join(STATE_DIR, "build", `runtime-${VERSIONS.daprRuntime}`);
  const built = await version(path.join(out, "daprd"));
  if (built !== VERSIONS.daprRuntime || RUNTIME_BINARIES.some((b) => !fs.existsSync(path.join(out, b)))) {
    step(
      `building Dapr runtime ${VERSIONS.daprRuntime} (daprd, placement, scheduler) from Go modules; cold, this took 735 s (about 12 minutes) on 2 cores`,
    );
    fs.mkdirSync(out, { recursive: true });
    const v = VERSIONS.daprRuntime;
    await goBuild("runtime build", GO_MODULES.runtime, [
      "-trimpath",
      "-tags",
      "stablecomponents",
      "-ldflags",
      `-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${v} -X github.com/dapr/kit/logger.DaprVersion=${v}`,
      "-o",
      `${out}/`,
      "./daprd",
      "./placement",
      "./scheduler",
    ]);
  }
  return out;
}

async function buildCli() {
  const out = path.join(STATE_DIR, "build", `cli-${VERSIONS.daprCli}`);
  const bin = path.join(out, "dapr");
  if (!(await version(bin))?.includes(`CLI version: ${VERSIONS.daprCli}`)) {
    step(`building Dapr CLI ${VERSIONS.daprCli} from its Go module`);
    fs.mkdirSync(out, { recursive: true });
    await goBuild("CLI build", GO_MODULES.cli, [
      "-trimpath",
      "-ldflags",
      `-s -w -X main.version=${VERSIONS.daprCli}`,
      "-o",
      bin,
      "github.com/dapr/cli",
    ]);
  }
  return bin;
}

/** Copies a file over a binary that may be running (a running daprd makes a plain copy fail with ETXTBSY). */
/** @param {string} from  @param {string} to */
function install(from, to) {
  const tmp = `${to}.new-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, to);
}

/** Lays ~/.dapr out as `dapr init --slim` does: bin/, components/, config.yaml. */
/** @param {string} runtimeDir where buildRuntime() put the binaries */
function layOutDaprHome(runtimeDir) {
  fs.mkdirSync(DAPR_BIN, { recursive: true });
  fs.mkdirSync(path.join(DAPR_HOME, "components"), { recursive: true });
  for (const b of RUNTIME_BINARIES) install(path.join(runtimeDir, b), path.join(DAPR_BIN, b));
  const config = path.join(DAPR_HOME, "config.yaml");
  if (!fs.existsSync(config)) {
    fs.writeFileSync(
      config,
      "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: daprConfig\nspec: {}\n",
    );
  }
}

/** @param {string} bin  @returns {string} where it went */
function installCli(bin) {
  const target = process.getuid?.() === 0 ? CLI_SYSTEM : CLI_USER;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  install(bin, target);
  return target;
}

/**
 * Ensures Dapr is installed; returns what is there. Skips every step already done.
 * @returns {Promise<DaprInstall>}
 */
export async function ensureDapr() {
  let found = await inspectDapr();
  if (!needsRuntime(found) && found.cli) {
    if (found.runtime !== VERSIONS.daprRuntime) {
      step(
        `using the installed Dapr runtime ${found.runtime} (this project pins ${VERSIONS.daprRuntime}; same ${minor(found.runtime)} line)`,
      );
    }
    return found;
  }
  await requireGo(found);
  if (needsRuntime(found)) layOutDaprHome(await buildRuntime());
  if (!found.cli) {
    const target = installCli(await buildCli());
    if (!(await which("dapr", { nothrow: true }))) {
      step(`installed the dapr CLI at ${target}; add ${path.dirname(target)} to PATH to type \`dapr\` yourself`);
    }
  }
  found = await inspectDapr();
  if (needsRuntime(found) || !found.cli) {
    throw new ToolError(
      `Dapr install incomplete: ${JSON.stringify(found)}`,
      `Remove ${DAPR_BIN} and run \`npm run setup\` again.`,
    );
  }
  step(`Dapr ready: CLI ${found.cliVersion}, runtime ${found.runtime} in ${DAPR_BIN.replace(os.homedir(), "~")}`);
  return found;
}
