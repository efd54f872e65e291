// @ts-check
// The JSON schemas kubeconform validates against, all on disk so it needs no
// network: Kubernetes' own (shipped by the kubernetes-validate package) and
// Dapr's CRDs (converted from the charts/dapr/crds of the dapr/dapr Go module
// that the Dapr build downloads; `go mod download` fetches it otherwise).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";
import { ToolError } from "../../cli/errors.mjs";
import { STATE_DIR, VERSIONS } from "../../stack/paths.mjs";
import { CRD_SCHEMA_TEMPLATE, crdSchemaPath, crdToJsonSchemas } from "./crd-schema.mjs";
import { requireGo } from "./install.mjs";
import { run, tail } from "../../cli/run.mjs";

const SCHEMAS = path.join(STATE_DIR, "schemas");

/**
 * kubernetes-validate's "local" schemas refer to their shared definitions as
 * "/api/_definitions.json", a path its Python code maps; kubeconform reads
 * them as files, so the copy refers to the definitions by their file URL.
 * @param {string} sitePackages the venv's site-packages
 * @returns {string} kubeconform's -schema-location template for Kubernetes kinds
 */
export function prepareKubernetesSchemas(sitePackages) {
  const folder = `v${VERSIONS.kubernetesVersion}-local-strict`;
  const from = path.join(sitePackages, "kubernetes_validate", "kubernetes-json-schema", folder);
  if (!fs.existsSync(from))
    throw new ToolError(
      `kubernetes-validate ${VERSIONS.kubernetesValidate} has no schemas for Kubernetes ${VERSIONS.kubernetesVersion} (no ${from}).`,
      "Set kubernetesVersion in tools/versions.json to a version that package ships, or pin a newer kubernetesValidate.",
    );
  const root = path.join(SCHEMAS, `kubernetes-validate-${VERSIONS.kubernetesValidate}`);
  const to = path.join(root, folder);
  const marker = path.join(to, ".complete");
  if (!fs.existsSync(marker)) {
    const tmp = `${to}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const definitions = JSON.stringify(`${pathToFileURL(to).href}/_definitions.json#`).slice(1, -1);
    for (const f of fs.readdirSync(from).filter((f) => f.endsWith(".json"))) {
      const text = fs.readFileSync(path.join(from, f), "utf8");
      fs.writeFileSync(path.join(tmp, f), text.replaceAll('"/api/_definitions.json#', `"${definitions}`));
    }
    fs.writeFileSync(path.join(tmp, ".complete"), "");
    fs.rmSync(to, { recursive: true, force: true });
    fs.renameSync(tmp, to);
  }
  return `${root}/{{.NormalizedKubernetesVersion}}-local{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json`;
}

/** The charts/dapr/crds folder of the pinned dapr/dapr module, downloaded to Go's module cache if missing. */
export async function daprCrdDir() {
  const go = await requireGo("the Dapr CRD schemas");
  const mod = `github.com/dapr/dapr@v${VERSIONS.daprRuntime}`;
  const r = await run(go, ["mod", "download", "-json", mod], { cwd: STATE_DIR });
  /** @type {{ Dir?: string, Error?: string }} */
  let info = {};
  try {
    info = JSON.parse(r.stdout);
  } catch {
    // reported below
  }
  const dir = info.Dir && path.join(info.Dir, "charts", "dapr", "crds");
  if (r.code !== 0 || !dir || !fs.existsSync(dir))
    throw new ToolError(
      `Could not find Dapr's CRDs in the Go module ${mod}: ${info.Error ?? tail(r, 6)}`,
      "Check that the Go module proxy is reachable (go env GOPROXY), or run `npm run setup` first.",
    );
  return dir;
}

/**
 * Converts every CRD of Dapr into one JSON schema per kind and version.
 * @param {string} crdDir
 * @returns {{ template: string, kinds: string[] }} kubeconform's -schema-location template, and the kinds converted
 */
export function prepareDaprSchemas(crdDir) {
  const root = path.join(SCHEMAS, `dapr-${VERSIONS.daprRuntime}`);
  const kinds = [];
  for (const f of fs
    .readdirSync(crdDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdDir, f), "utf8"))) {
      for (const s of crdToJsonSchemas(doc.toJS() ?? {})) {
        const file = path.join(root, crdSchemaPath(s));
        const text = `${JSON.stringify(s.schema, null, 1)}\n`;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
          fs.writeFileSync(`${file}.tmp-${process.pid}`, text);
          fs.renameSync(`${file}.tmp-${process.pid}`, file);
        }
        kinds.push(`${s.group}/${s.version} ${s.kind}`);
      }
    }
  }
  if (!kinds.length) throw new ToolError(`No CustomResourceDefinition found in ${crdDir}.`, "Check the folder.");
  return { template: `${root}/${CRD_SCHEMA_TEMPLATE}`, kinds };
}
