#!/usr/bin/env node
// @ts-check
// npm run deploy:check: checks the Kubernetes deployment offline. Renders
// every overlay of deploy/kubernetes with kustomize, validates each document
// with kubeconform (strict) against Kubernetes' and Dapr's schemas, checks the
// Resiliency targets name defined policies, and lints apps/*/Dockerfile with
// hadolint. Installs those tools on first use. Exits 1 on any problem.
import path from "node:path";
import { defineCommand } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { heading, step, write } from "./cli/console.mjs";
import { ROOT, VERSIONS } from "./stack/paths.mjs";
import { checkDeploy, DEPLOY_DIR, DOCKERFILES, prepare } from "./checks/deploy/check.mjs";

export const command = defineCommand({
  usage: "npm run deploy:check --",
  about:
    "Checks the Kubernetes deployment offline: renders every kustomize overlay, validates each document with\n" +
    "kubeconform (strict) against Kubernetes' and Dapr's schemas, checks that the Resiliency targets name defined\n" +
    "policies, and lints the Dockerfiles with hadolint. Installs those tools on first use; exit 1 on any problem.",
  positionals: [
    {
      name: "Dockerfile",
      variadic: true,
      help: "the Dockerfiles to lint (default: apps/sdk-app, http-app and grpc-app's)",
    },
  ],
  flags: {
    dir: { type: "string", value: "<folder>", help: "the folder of kustomize overlays (default: deploy/kubernetes)" },
  },
});

await runTool(import.meta.url, command, async ({ values, positionals }) => {
  const opts = {
    dir: values.dir === undefined ? DEPLOY_DIR : path.resolve(values.dir),
    dockerfiles: positionals.length ? positionals.map((f) => path.resolve(f)) : DOCKERFILES,
  };
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
