// @ts-check
// The deploy check itself: render every kustomize overlay, validate each
// rendered document with kubeconform (strict) against the Kubernetes and Dapr
// schemas, check that every Resiliency target names a defined policy (with
// resources.mjs, the same check the local tools run, which no schema can
// express), and lint the Dockerfiles with hadolint.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onCleanup } from "../../cli/cleanup.mjs";
import { ToolError } from "../../cli/errors.mjs";
import { ROOT, VARIANTS, VERSIONS } from "../../stack/paths.mjs";
import { checkResources } from "../../stack/resources.mjs";
import { ensureDeployTools } from "./install.mjs";
import { daprCrdDir, prepareDaprSchemas, prepareKubernetesSchemas } from "./schemas.mjs";
import { run, tail } from "../../cli/run.mjs";

/** @typedef {import("./install.mjs").DeployTools} DeployTools */
/** @typedef {{ where: string, problem: string }} Problem */
/** @typedef {{ overlay: string, documents: string[], problems: Problem[] }} OverlayResult */
/** @typedef {{ file: string, problems: Problem[] }} DockerfileResult */
/** @typedef {{ file: string, documents: string[], problems: Problem[] }} PolicyFileResult */
/** @typedef {{ overlays: OverlayResult[], dockerfiles: DockerfileResult[], policies: PolicyFileResult[], problems: number }} CheckResult */
/** @typedef {{ kubeconform: string, locations: string[], daprKinds: string[] }} Validator */

export const DEPLOY_DIR = path.join(ROOT, "deploy", "kubernetes");
export const DOCKERFILES = Object.values(VARIANTS).map((v) => path.join(ROOT, "apps", v.project, "Dockerfile"));
export const POLICIES_DIR = path.join(ROOT, "policies");

/** The lab's policy files (policies/<name>/*.yaml): Dapr resources, validated like the manifests. */
export function policyFiles(dir = POLICIES_DIR) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(dir, d.name))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, d.name, f)),
    )
    .sort();
}

const rel = (/** @type {string} */ p) => {
  const r = path.relative(ROOT, p);
  return r && !r.startsWith("..") ? r : p;
};

/** Every folder under `dir` with a kustomization.yaml, except the shared base. */
export function findOverlays(dir = DEPLOY_DIR) {
  if (!fs.existsSync(dir))
    throw new ToolError(`${dir} does not exist.`, "Pass the folder that holds the kustomize overlays with --dir.", 2);
  const found = fs
    .readdirSync(dir)
    .filter((d) => d !== "base" && fs.existsSync(path.join(dir, d, "kustomization.yaml")))
    .sort()
    .map((d) => path.join(dir, d));
  if (!found.length)
    throw new ToolError(`No kustomize overlay (a folder with kustomization.yaml) in ${rel(dir)}.`, "", 2);
  return found;
}

/** Installs what is missing and prepares the schemas; the slow part of a first run. */
export async function prepare() {
  const tools = await ensureDeployTools();
  const dapr = prepareDaprSchemas(await daprCrdDir());
  /** @type {Validator} */
  const validator = {
    kubeconform: tools.kubeconform,
    locations: [prepareKubernetesSchemas(tools.sitePackages), dapr.template],
    daprKinds: dapr.kinds,
  };
  return { tools, validator };
}

/**
 * kubeconform over rendered files, strict: unknown fields, wrong types,
 * duplicate keys and kinds without a schema are all errors.
 * @param {Validator} v
 * @param {string[]} files
 * @returns {Promise<Map<string, { documents: string[], problems: Problem[] }>>} per file
 */
export async function validate(v, files) {
  const args = ["-strict", "-verbose", "-output", "json", "-kubernetes-version", VERSIONS.kubernetesVersion];
  for (const l of v.locations) args.push("-schema-location", l);
  const r = await run(v.kubeconform, [...args, ...files]);
  /** @type {{ resources?: { filename: string, kind: string, name: string, status: string, msg?: string, validationErrors?: { path: string, msg: string }[] }[] }} */
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    throw new ToolError(
      `kubeconform gave no result:\n${tail(r)}`,
      `Run it by hand: ${v.kubeconform} ${args.join(" ")}`,
    );
  }
  /** @type {Map<string, { documents: string[], problems: Problem[] }>} */
  const byFile = new Map(files.map((f) => [f, { documents: [], problems: [] }]));
  for (const res of out.resources ?? []) {
    const entry = byFile.get(res.filename);
    if (!entry) continue;
    const where = `${res.kind} ${res.name}`;
    entry.documents.push(where);
    if (res.status === "statusValid") continue;
    // For a schema that uses $ref, validationErrors may say only "validation
    // failed"; the message then holds the details: "... - at '/spec': additional properties ...".
    const fromMsg = [...(res.msg ?? "").matchAll(/- at '([^']*)': (.*?)(?= - at '|\n|$)/g)].map(
      (m) => `${m[1] || "/"}: ${m[2]}`,
    );
    const listed = (res.validationErrors ?? [])
      .filter((e) => e.msg !== "validation failed")
      .map((e) => `${e.path || "/"}: ${e.msg}`);
    const details = fromMsg.length ? fromMsg : listed.length ? listed : [res.msg ?? res.status];
    for (const problem of details) entry.problems.push({ where, problem });
  }
  return byFile;
}

/**
 * The checks of resources.mjs on a rendered overlay: the state store and
 * every policy a Resiliency target names.
 * @param {string} file the rendered overlay  @param {string} label how messages name it
 * @returns {Problem[]}
 */
export function checkPolicies(file, label) {
  try {
    checkResources(path.dirname(file));
    return [];
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    const m = /^:(\d+): ([\s\S]*)$/.exec(err.message.startsWith(file) ? err.message.slice(file.length) : "");
    return m
      ? [{ where: `line ${m[1]} of the rendered output`, problem: m[2] ?? "" }]
      : [{ where: "rendered output", problem: err.message.replaceAll(path.dirname(file), label) }];
  }
}

/**
 * @param {string} hadolint
 * @param {string[]} files
 * @returns {Promise<DockerfileResult[]>}
 */
export async function lintDockerfiles(hadolint, files) {
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) throw new ToolError(`No Dockerfile at ${missing.map(rel).join(", ")}.`, "", 2);
  const r = await run(hadolint, ["--no-color", "--format", "json", ...files]);
  /** @type {{ file: string, line: number, code: string, level: string, message: string }[]} */
  let findings;
  try {
    findings = JSON.parse(r.stdout);
  } catch {
    throw new ToolError(`hadolint gave no result:\n${tail(r)}`, `Run it by hand: ${hadolint} ${files.join(" ")}`);
  }
  return files.map((file) => ({
    file,
    problems: findings
      .filter((f) => path.resolve(f.file) === path.resolve(file))
      .map((f) => ({ where: `line ${f.line}`, problem: `${f.code} (${f.level}): ${f.message}` })),
  }));
}

/**
 * @param {{ dir?: string, dockerfiles?: string[], policies?: string[], prepared?: Awaited<ReturnType<typeof prepare>> }} [opts]
 * @returns {Promise<CheckResult>}
 */
export async function checkDeploy({
  dir = DEPLOY_DIR,
  dockerfiles = DOCKERFILES,
  policies = policyFiles(),
  prepared,
} = {}) {
  const overlayDirs = findOverlays(dir);
  const { tools, validator } = prepared ?? (await prepare());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-check-"));
  const removeTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  const stop = onCleanup(removeTmp);
  try {
    /** @type {OverlayResult[]} */
    const overlays = [];
    /** @type {Map<string, OverlayResult>} */
    const rendered = new Map();
    for (const overlay of overlayDirs) {
      /** @type {OverlayResult} */
      const result = { overlay: rel(overlay), documents: [], problems: [] };
      overlays.push(result);
      const r = await run(tools.kustomize, ["build", overlay]);
      if (r.code !== 0) {
        result.problems.push({ where: "kustomize build", problem: tail(r, 6) });
        continue;
      }
      // One folder per overlay: checkResources reads every YAML file of a folder.
      const file = path.join(tmp, path.basename(overlay), "rendered.yaml");
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, r.stdout);
      rendered.set(file, result);
    }
    if (rendered.size) {
      const validated = await validate(validator, [...rendered.keys()]);
      for (const [file, result] of rendered) {
        const v = validated.get(file);
        result.documents = (v?.documents ?? []).sort();
        result.problems.push(...(v?.problems ?? []), ...checkPolicies(file, `kustomize build ${result.overlay}`));
        if (!result.documents.length) result.problems.push({ where: "rendered output", problem: "no documents" });
      }
    }
    const docker = dockerfiles.length ? await lintDockerfiles(tools.hadolint, dockerfiles) : [];
    const checkedPolicies = policies.length ? await validate(validator, policies) : new Map();
    /** @type {PolicyFileResult[]} */
    const policyResults = policies.map((file) => {
      const v = checkedPolicies.get(file);
      const problems = v?.problems ?? [];
      if (!v?.documents.length) problems.push({ where: "file", problem: "no documents" });
      return { file: rel(file), documents: v?.documents ?? [], problems };
    });
    const problems = [...overlays, ...docker, ...policyResults].reduce((n, x) => n + x.problems.length, 0);
    return { overlays, dockerfiles: docker, policies: policyResults, problems };
  } finally {
    stop();
    removeTmp();
  }
}
