// @ts-check
// Unit tests of the Kubernetes deployment's files and of our CRD -> JSON
// schema converter. No cluster, no tools: the YAML is parsed with `yaml`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { ROOT, RESOURCES } from "../../stack/paths.mjs";
import { checkResources } from "../../stack/resources.mjs";
import { crdToJsonSchemas, toJsonSchema } from "./crd-schema.mjs";

const BASE = path.join(ROOT, "deploy/kubernetes/base");
/** @param {string} file @returns {Record<string, any>[]} */
const docs = (file) => parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS());
/** @param {string} file @param {string} kind */
const one = (file, kind) => {
  const found = docs(file).filter((d) => d.kind === kind);
  expect(found, `${kind} documents in ${file}`).toHaveLength(1);
  return found[0] ?? {};
};

describe("the Kubernetes Resiliency says exactly what resources/resiliency.yaml says", () => {
  const local = one(path.join(RESOURCES, "resiliency.yaml"), "Resiliency");
  const k8s = one(path.join(BASE, "resiliency.yaml"), "Resiliency");

  it("same policies, same targets, same scopes and name", () => {
    expect(k8s.spec.policies).toEqual(local.spec.policies);
    expect(k8s.spec.targets).toEqual(local.spec.targets);
    expect(k8s.scopes).toEqual(local.scopes);
    expect(k8s.metadata.name).toBe(local.metadata.name);
    expect(k8s.apiVersion).toBe(local.apiVersion);
  });

  it("and so the same policy as the walkthrough reads it (resources.mjs on both)", () => {
    // The base's Dapr resources alone: its kustomization.yaml is no Dapr resource.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-dapr-resources-"));
    for (const f of ["statestore.yaml", "resiliency.yaml"]) fs.copyFileSync(path.join(BASE, f), path.join(dir, f));
    const fromLocal = { ...checkResources(RESOURCES).policy, file: "" };
    const fromK8s = { ...checkResources(dir).policy, file: "" };
    fs.rmSync(dir, { recursive: true, force: true });
    expect(fromK8s).toEqual(fromLocal);
    expect(fromK8s.retryPolicy).toBe("retryForever");
    expect(fromK8s.breaker).toBe("simpleCB");
  });
});

describe("the Kubernetes deployment", () => {
  const deployment = one(path.join(BASE, "order-processor.yaml"), "Deployment");
  const annotations = deployment.spec.template.metadata.annotations;

  it("runs the app under Dapr with app id order-processor and the Configuration it ships", () => {
    expect(annotations["dapr.io/enabled"]).toBe("true");
    expect(annotations["dapr.io/app-id"]).toBe("order-processor");
    expect(annotations["dapr.io/config"]).toBe(
      one(path.join(BASE, "configuration.yaml"), "Configuration").metadata.name,
    );
  });

  it("takes the Redis password from a Secret, never inline", () => {
    const store = one(path.join(BASE, "statestore.yaml"), "Component");
    const password = store.spec.metadata.find((/** @type {{name: string}} */ m) => m.name === "redisPassword");
    expect(password).toEqual({ name: "redisPassword", secretKeyRef: { name: "redis-auth", key: "password" } });
    const redis = one(path.join(BASE, "redis.yaml"), "StatefulSet").spec.template.spec.containers[0];
    expect(redis.env.find((/** @type {{name: string}} */ e) => e.name === "REDIS_PASSWORD").valueFrom).toEqual({
      secretKeyRef: { name: "redis-auth", key: "password" },
    });
    expect(redis.args.join(" ")).toContain("--appendonly yes --appendfsync always");
    expect(redis.args.join(" ")).toContain("--requirepass $(REDIS_PASSWORD)");
  });

  it("puts each variant in a namespace of its own, with its own image", () => {
    const seen = new Set();
    for (const v of ["sdk", "http", "grpc"]) {
      const k = one(path.join(ROOT, "deploy/kubernetes", v, "kustomization.yaml"), "Kustomization");
      expect(k.images).toEqual([{ name: "order-processor", newName: `dapr-resiliency/${v}-app`, newTag: "0.1.0" }]);
      seen.add(k.namespace);
    }
    expect(seen.size).toBe(3);
  });

  it("resources/config.yaml names a nameResolution version, which the Configuration CRD requires", () => {
    expect(one(path.join(RESOURCES, "config.yaml"), "Configuration").spec.nameResolution.version).toBe("v1");
  });
});

describe("CRD openAPIV3Schema -> JSON schema (in-memory CRDs)", () => {
  it("closes objects that list their properties, when strict", () => {
    const s = toJsonSchema({ type: "object", properties: { a: { type: "string" } } }, true);
    expect(s.additionalProperties).toBe(false);
    expect(toJsonSchema({ type: "object", properties: { a: { type: "string" } } }, false)).not.toHaveProperty(
      "additionalProperties",
    );
  });

  it("leaves maps and preserve-unknown-fields objects open", () => {
    const map = toJsonSchema({ type: "object", additionalProperties: { type: "string" } }, true);
    expect(map.additionalProperties).toEqual({ type: "string" });
    const open = toJsonSchema(
      { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { a: { type: "string" } } },
      true,
    );
    expect(open).not.toHaveProperty("additionalProperties");
    expect(open).not.toHaveProperty("x-kubernetes-preserve-unknown-fields");
  });

  it("maps int-or-string and nullable to JSON schema", () => {
    expect(toJsonSchema({ "x-kubernetes-int-or-string": true }, true)).toEqual({
      anyOf: [{ type: "integer" }, { type: "string" }],
    });
    expect(toJsonSchema({ type: "string", nullable: true }, true)).toEqual({ type: ["string", "null"] });
  });

  it("makes one schema per served version, naming its kind and apiVersion", () => {
    const crd = {
      kind: "CustomResourceDefinition",
      spec: {
        group: "example.io",
        names: { kind: "Widget" },
        versions: [
          { name: "v1", served: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: {} } } } },
          { name: "v0", served: false, schema: { openAPIV3Schema: { type: "object" } } },
        ],
      },
    };
    const out = crdToJsonSchemas(crd);
    expect(out.map((s) => `${s.group} ${s.kind} ${s.version}`)).toEqual(["example.io Widget v1"]);
    expect(out[0]?.schema.properties.kind).toEqual({ type: "string", enum: ["Widget"] });
    expect(out[0]?.schema.properties.apiVersion).toEqual({ type: "string", enum: ["example.io/v1"] });
    expect(out[0]?.schema.additionalProperties).toBe(false);
    expect(crdToJsonSchemas({ kind: "ConfigMap" })).toEqual([]);
  });
});
