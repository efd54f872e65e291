// @ts-check
// The deploy check against the real tools (kustomize, kubeconform, hadolint,
// installed on first use): the repo's manifests and Dockerfiles pass, and
// broken copies of them are refused with a message that names the mistake.
// No cluster and no image build: neither can run here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESOURCES, ROOT, STATE_DIR, VERSIONS } from "../stack/paths.mjs";
import { checkDeploy, DEPLOY_DIR, DOCKERFILES, lintDockerfiles, prepare, validate } from "../checks/deploy/check.mjs";
import { TOOLS_BIN } from "../checks/deploy/install.mjs";

/** @type {Awaited<ReturnType<typeof prepare>>} */
let prepared;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-int-"));

beforeAll(async () => {
  const started = Date.now();
  prepared = await prepare(); // installs the tools on a cold machine: minutes, not seconds
  console.log(`deploy tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 900_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs tools/deploy-check.mjs as a user would. */
function cli(/** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ env = process.env) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "tools/deploy-check.mjs"), ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * A copy of deploy/kubernetes with the base and one overlay; `edit` changes
 * one base file through the yaml library.
 * @param {string} name
 * @param {string} file a file of base/
 * @param {(doc: import("yaml").Document) => void} edit
 */
function brokenCopy(name, file, edit) {
  const dir = path.join(tmp, name);
  for (const d of ["base", "sdk"]) fs.cpSync(path.join(DEPLOY_DIR, d), path.join(dir, d), { recursive: true });
  const target = path.join(dir, "base", file);
  const doc = parseDocument(fs.readFileSync(target, "utf8"));
  edit(doc);
  fs.writeFileSync(target, doc.toString());
  return dir;
}

/** Every problem of a check as one text per overlay, "where: problem". */
const problemsOf = (/** @type {import("../checks/deploy/check.mjs").CheckResult} */ r) =>
  r.overlays.flatMap((o) => o.problems.map((p) => `${p.where}: ${p.problem}`));

describe("the repo's deployment", () => {
  it("renders three overlays whose every document is valid, and Dockerfiles without findings", async () => {
    const r = await checkDeploy({ prepared });
    expect(problemsOf(r)).toEqual([]);
    expect(r.dockerfiles.map((d) => d.problems)).toEqual([[], [], []]);
    expect(r.problems).toBe(0);
    expect(r.overlays.map((o) => o.overlay)).toEqual([
      "deploy/kubernetes/grpc",
      "deploy/kubernetes/http",
      "deploy/kubernetes/sdk",
    ]);
    for (const o of r.overlays) {
      expect(o.documents).toEqual([
        "Component statestore",
        "Configuration order-processor-config",
        "Deployment order-processor",
        "Namespace " + `order-processor-${path.basename(o.overlay)}`,
        "Resiliency myresiliency",
        "Service redis",
        "StatefulSet redis",
      ]);
    }
  });

  it("npm run deploy:check says so and exits 0", () => {
    const r = cli([]);
    expect(r.out).toContain("deploy check: 3 overlays (21 documents), 3 Dockerfiles: 0 problem(s)");
    expect(r.code).toBe(0);
  });

  it("resources/*.yaml, which daprd runs with locally, are valid against Dapr's CRD schemas too", async () => {
    const files = fs
      .readdirSync(RESOURCES)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => path.join(RESOURCES, f));
    const results = await validate(prepared.validator, files);
    expect([...results.values()].flatMap((r) => r.problems)).toEqual([]);
    expect([...results.values()].flatMap((r) => r.documents).sort()).toEqual([
      "Component statestore",
      "Configuration order-processor-config",
      "Resiliency myresiliency",
    ]);
  });

  it("the lab's policies/ are checked too, each a valid Resiliency (or Component) against Dapr's CRD schemas", async () => {
    const r = await checkDeploy({ dockerfiles: [], prepared });
    expect(r.policies.flatMap((p) => p.problems)).toEqual([]);
    expect(r.policies.map((p) => `${p.file}: ${p.documents.join(", ")}`)).toEqual([
      "policies/constant-maxinterval/resiliency.yaml: Resiliency myresiliency",
      "policies/exponential/resiliency.yaml: Resiliency myresiliency",
      "policies/fail-fast/resiliency.yaml: Resiliency myresiliency",
      "policies/no-retries/resiliency.yaml: Resiliency myresiliency",
      "policies/no-store-retries/statestore.yaml: Component statestore",
      "policies/seed-timeout/resiliency.yaml: Resiliency myresiliency",
    ]);
  });

  it("installed its tools at the pinned versions under STATE_DIR", () => {
    expect(fs.existsSync(path.join(TOOLS_BIN, `kustomize-${VERSIONS.kustomize}`))).toBe(true);
    expect(fs.existsSync(path.join(TOOLS_BIN, `kubeconform-${VERSIONS.kubeconform}`))).toBe(true);
    const v = spawnSync(prepared.tools.kustomize, ["version"], { encoding: "utf8" });
    expect(v.stdout.trim()).toBe(`v${VERSIONS.kustomize}`);
    const h = spawnSync(prepared.tools.hadolint, ["--version"], { encoding: "utf8" });
    expect(h.stdout).toContain(VERSIONS.hadolint);
  });
});

describe("broken copies are refused", () => {
  it("an unknown field in the Deployment (kubeconform, strict)", async () => {
    const dir = brokenCopy("deployment-field", "order-processor.yaml", (d) => d.setIn(["spec", "replicaz"], 2));
    const r = await checkDeploy({ dir, dockerfiles: [], prepared });
    expect(r.problems).toBe(1);
    expect(problemsOf(r)[0]).toMatch(/^Deployment order-processor: .*replicaz/);
  });

  it("an unknown field in the Resiliency spec (kubeconform against Dapr's CRD schema)", async () => {
    const dir = brokenCopy("resiliency-field", "resiliency.yaml", (d) =>
      d.setIn(["spec", "policies", "retries", "retryForever", "backoff"], "linear"),
    );
    const problems = problemsOf(await checkDeploy({ dir, dockerfiles: [], prepared }));
    // the schema and our own field check (stack/resiliency-check.mjs) both say so, and nothing else is reported
    expect(problems).toHaveLength(2);
    expect(problems).toContainEqual(expect.stringMatching(/^Resiliency myresiliency: .*retryForever.*backoff/));
    expect(problems).toContainEqual(expect.stringMatching(/`backoff` is not a field of retry policy "retryForever"/));
  });

  it("a wrong type: maxRetries: forever (the schema and our own check both say so)", async () => {
    const dir = brokenCopy("resiliency-type", "resiliency.yaml", (d) =>
      d.setIn(["spec", "policies", "retries", "retryForever", "maxRetries"], "forever"),
    );
    const problems = problemsOf(await checkDeploy({ dir, dockerfiles: [], prepared }));
    expect(problems).toContainEqual(
      expect.stringMatching(/^Resiliency myresiliency: .*maxRetries: got string, want integer/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/maxRetries must be a whole number/));
  });

  it("a target naming a policy that is not defined (no schema can see it; resources.mjs does)", async () => {
    const dir = brokenCopy("resiliency-policy", "resiliency.yaml", (d) =>
      d.setIn(["spec", "targets", "components", "statestore", "outbound", "retry"], "retryNever"),
    );
    const problems = problemsOf(await checkDeploy({ dir, dockerfiles: [], prepared }));
    expect(problems).toEqual([
      expect.stringMatching(
        /^line \d+ of the rendered output: target statestore refers to retry "retryNever", which spec\.policies\.retries does not define \(defined: retryForever\)$/,
      ),
    ]);
    const cliRun = cli(["--dir", dir, DOCKERFILES[0] ?? ""]);
    expect(cliRun.code).toBe(1);
    expect(cliRun.out).toContain('refers to retry "retryNever"');
    expect(cliRun.out).toContain("1 problem(s)");
  });

  it("a kind without a schema (a wrong apiVersion) is an error, not skipped", async () => {
    const dir = brokenCopy("component-version", "statestore.yaml", (d) => d.set("apiVersion", "dapr.io/v9"));
    expect(problemsOf(await checkDeploy({ dir, dockerfiles: [], prepared }))).toContainEqual(
      "Component statestore: could not find schema for Component",
    );
  });

  it("a Dockerfile FROM node:latest (hadolint DL3007)", async () => {
    const file = path.join(tmp, "Dockerfile.latest");
    const text = fs.readFileSync(DOCKERFILES[0] ?? "", "utf8");
    fs.writeFileSync(file, text.replace("FROM ${NODE_IMAGE} AS build", "FROM node:latest AS build"));
    const [r] = await lintDockerfiles(prepared.tools.hadolint, [file]);
    expect(r?.problems).toEqual([
      { where: expect.stringMatching(/^line \d+$/), problem: expect.stringMatching(/^DL3007 /) },
    ]);
  });
});

describe("bad input and missing prerequisites", () => {
  it("a folder that does not exist: exit 2, named", () => {
    const r = cli(["--dir", path.join(tmp, "nowhere")]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("nowhere does not exist");
    expect(r.out).not.toMatch(/\n\s+at /); // no stack trace
  });

  /** A PATH with only the named programs, and a STATE_DIR of its own. */
  function bareEnv(/** @type {string} */ name, /** @type {string[]} */ programs) {
    const bin = path.join(tmp, `${name}-bin`);
    fs.mkdirSync(bin, { recursive: true });
    for (const p of programs) {
      const found = spawnSync("sh", ["-c", `command -v ${p}`], { encoding: "utf8" }).stdout.trim();
      fs.symlinkSync(found, path.join(bin, p));
    }
    const home = path.join(tmp, `${name}-state`);
    fs.mkdirSync(home, { recursive: true });
    return { ...process.env, PATH: bin, DAPR_RESILIENCY_HOME: home };
  }

  it("no Go: says Go is missing and how to get it", () => {
    const r = cli([], bareEnv("nogo", ["node"]));
    expect(r.code).toBe(1);
    expect(r.out).toContain("Go is not installed, and the deploy check needs it to build kustomize");
    expect(r.out).toContain("Install Go 1.26+");
  });

  it("no python3: says python3 is missing and how to get it", () => {
    const env = bareEnv("nopython", ["node", "go"]);
    // The Go tools are there already, so the check gets as far as the venv.
    const bin = path.join(env.DAPR_RESILIENCY_HOME ?? "", "bin");
    fs.mkdirSync(bin);
    for (const t of [`kustomize-${VERSIONS.kustomize}`, `kubeconform-${VERSIONS.kubeconform}`])
      fs.symlinkSync(path.join(STATE_DIR, "bin", t), path.join(bin, t));
    const r = cli([], env);
    expect(r.code).toBe(1);
    expect(r.out).toContain("python3 is not installed");
    expect(r.out).toContain("apt-get install python3 python3-venv");
  });
});
