#!/usr/bin/env node
// @ts-check
// npm run deploy:check: checks the Kubernetes deployment offline. Renders
// every overlay of deploy/kubernetes with kustomize, validates each document
// with kubeconform (strict) against Kubernetes' and Dapr's schemas, checks the
// Resiliency targets name defined policies, and lints apps/*/Dockerfile with
// hadolint. Installs those tools on first use. Exits 1 on any problem.
import path from "node:path";
import { main, scriptArgs, UsageError } from "./cli/errors.mjs";
import { heading, step, write } from "./cli/console.mjs";
import { ROOT, VERSIONS } from "./stack/paths.mjs";
import { checkDeploy, DEPLOY_DIR, DOCKERFILES, prepare } from "./checks/deploy/check.mjs";

const USAGE = `Usage: npm run deploy:check [-- --dir <folder of kustomize overlays>] [-- <Dockerfile> ...]
Defaults: --dir deploy/kubernetes and apps/sdk-app, http-app, grpc-app's Dockerfile.`;

/** @param {string[]} args */
function parse(args) {
  let dir = DEPLOY_DIR;
  /** @type {string[]} */
  const dockerfiles = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    const next = args[i + 1];
    if (a === "--dir" && next) {
      dir = path.resolve(next);
      i++;
    } else if (a === "--help" || a === "-h") throw new UsageError("deploy:check options", USAGE);
    else if (a.startsWith("-")) throw new UsageError(`Unknown option ${a}.`, USAGE);
    else dockerfiles.push(path.resolve(a));
  }
  return { dir, dockerfiles: dockerfiles.length ? dockerfiles : DOCKERFILES };
}

await main(async () => {
  const opts = parse(scriptArgs(import.meta.url));
  const started = Date.now();
  const prepared = await prepare();
  step(
    `kustomize ${VERSIONS.kustomize}, kubeconform ${VERSIONS.kubeconform} (strict; Kubernetes ${VERSIONS.kubernetesVersion} schemas of kubernetes-validate ${VERSIONS.kubernetesValidate}, ` +
      `${prepared.validator.daprKinds.length} Dapr ${VERSIONS.daprRuntime} CRD schemas), hadolint ${VERSIONS.hadolint}`,
  );
  const result = await checkDeploy({ ...opts, prepared });
  const rel = (/** @type {string} */ p) => path.relative(ROOT, p) || p;
  heading("Kubernetes manifests");
  for (const o of result.overlays) {
    const kinds = o.documents.map((d) => d.split(" ")[0]).join(", ");
    write(
      o.problems.length
        ? `  ✖ ${o.overlay}: ${o.problems.length} problem(s)\n${o.problems.map((p) => `      ${p.where}: ${p.problem.replace(/\n/g, "\n        ")}\n`).join("")}`
        : `  ✔ ${o.overlay}: ${o.documents.length} documents valid (${kinds})\n`,
    );
  }
  heading("The lab's policies (policies/)");
  for (const p of result.policies) {
    write(
      p.problems.length
        ? `  ✖ ${p.file}:\n${p.problems.map((x) => `      ${x.where}: ${x.problem}\n`).join("")}`
        : `  ✔ ${p.file}: ${p.documents.join(", ")} valid\n`,
    );
  }
  heading("Dockerfiles");
  for (const d of result.dockerfiles) {
    write(
      d.problems.length
        ? `  ✖ ${rel(d.file)}:\n${d.problems.map((p) => `      ${p.where}: ${p.problem}\n`).join("")}`
        : `  ✔ ${rel(d.file)}: no hadolint findings\n`,
    );
  }
  const docs = result.overlays.reduce((n, o) => n + o.documents.length, 0);
  write(
    `\ndeploy check: ${result.overlays.length} overlays (${docs} documents), ${result.dockerfiles.length} Dockerfiles: ` +
      `${result.problems} problem(s), ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return result.problems ? 1 : 0;
});
