// @ts-check
// tools/versions.json is the one place versions are pinned; the files that
// cannot read it (go.mod, package.json) must agree with it.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, VERSIONS } from "../stack/paths.mjs";
import { GO_MODULES } from "../stack/dapr-install.mjs";

/** @param {string} p relative to the repo, or absolute */
const read = (p) => fs.readFileSync(path.resolve(ROOT, p), "utf8");

describe("tools/versions.json", () => {
  // Read where dapr-install.mjs builds from, so a moved folder fails here and not in a cold build.
  it("matches the runtime the Go wrapper builds", () => {
    expect(read(path.join(GO_MODULES.runtime, "go.mod"))).toMatch(
      new RegExp(`^\\s*github\\.com/dapr/dapr v${VERSIONS.daprRuntime.replace(/\./g, "\\.")}$`, "m"),
    );
  });
  it("matches the CLI the Go wrapper builds", () => {
    expect(read(path.join(GO_MODULES.cli, "go.mod"))).toMatch(
      new RegExp(`^require github\\.com/dapr/cli v${VERSIONS.daprCli.replace(/\./g, "\\.")}$`, "m"),
    );
  });
  it("matches the @dapr/dapr the apps depend on and the lockfile installs", () => {
    for (const app of ["apps/sdk-app", "apps/grpc-app"]) {
      expect(JSON.parse(read(`${app}/package.json`)).dependencies["@dapr/dapr"]).toBe(VERSIONS.daprJsSdk);
    }
    expect(JSON.parse(read("package-lock.json")).packages["node_modules/@dapr/dapr"].version).toBe(VERSIONS.daprJsSdk);
  });
});

describe("tools/versions.json pins the deployment's images", () => {
  it("every app's Dockerfile builds and runs on the pinned Node.js image (its NODE_IMAGE argument's default)", () => {
    for (const app of ["sdk-app", "http-app", "grpc-app"]) {
      const text = read(`apps/${app}/Dockerfile`);
      expect(text).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${VERSIONS.nodeImage.replace(/\./g, "\\.")}$`, "m"));
      const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
      expect(froms.length).toBeGreaterThanOrEqual(2);
      for (const image of froms) expect(image).toBe("${NODE_IMAGE}");
    }
  });
  it("the Redis StatefulSet runs the pinned Redis image", () => {
    expect(read("deploy/kubernetes/base/redis.yaml")).toMatch(
      new RegExp(`^\\s*image: redis:${VERSIONS.redisImage.replace(/\./g, "\\.")}$`, "m"),
    );
  });
  it("names a version for every deploy-check tool", () => {
    for (const key of ["kustomize", "kubeconform", "kubernetesValidate", "kubernetesVersion", "hadolint"]) {
      expect(VERSIONS[key], key).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
