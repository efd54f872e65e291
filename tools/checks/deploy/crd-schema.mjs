// @ts-check
// Turns a CustomResourceDefinition's openAPIV3Schema into a JSON schema that
// kubeconform can validate against, one per served version. In strict form
// every object that lists its properties refuses others (additionalProperties:
// false), as the API server does when it validates strictly (kubectl's
// default), unless the CRD keeps unknown fields (x-kubernetes-preserve-unknown-fields).

/** @typedef {Record<string, any>} Json */
/** @typedef {{ group: string, kind: string, version: string, schema: Json }} CrdSchema */

/**
 * @param {Json} node one OpenAPI v3 schema node
 * @param {boolean} strict
 * @returns {Json}
 */
export function toJsonSchema(node, strict) {
  /** @type {Json} */
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-kubernetes-") || key === "nullable") continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, strict)]));
    } else if ((key === "items" || key === "additionalProperties" || key === "not") && isObject(value)) {
      out[key] = toJsonSchema(value, strict);
    } else if (["allOf", "anyOf", "oneOf"].includes(key) && Array.isArray(value)) {
      out[key] = value.map((v) => toJsonSchema(v, strict));
    } else {
      out[key] = value;
    }
  }
  if (node["x-kubernetes-int-or-string"]) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (node.nullable && typeof out.type === "string") out.type = [out.type, "null"];
  if (
    strict &&
    out.properties &&
    node.additionalProperties === undefined &&
    !node["x-kubernetes-preserve-unknown-fields"]
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** @param {unknown} v @returns {v is Json} */
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * @param {Json} crd a parsed apiextensions.k8s.io/v1 CustomResourceDefinition
 * @param {boolean} [strict]
 * @returns {CrdSchema[]}
 */
export function crdToJsonSchemas(crd, strict = true) {
  if (crd?.kind !== "CustomResourceDefinition") return [];
  const { group, names, versions } = crd.spec ?? {};
  if (typeof group !== "string" || typeof names?.kind !== "string" || !Array.isArray(versions)) {
    throw new Error(`CRD ${crd.metadata?.name ?? "(no name)"} has no spec.group, spec.names.kind or spec.versions`);
  }
  return versions
    .filter((v) => v.served !== false && isObject(v.schema?.openAPIV3Schema))
    .map((v) => {
      const schema = toJsonSchema(v.schema.openAPIV3Schema, strict);
      // The document must name this kind and version, as the API server routes it by them.
      schema.properties = {
        ...schema.properties,
        apiVersion: { type: "string", enum: [`${group}/${v.name}`] },
        kind: { type: "string", enum: [names.kind] },
      };
      return {
        group,
        kind: names.kind,
        version: v.name,
        schema: { $schema: "http://json-schema.org/draft-04/schema#", ...schema },
      };
    });
}

/** Where kubeconform finds a CRD's schema with the location template DAPR_SCHEMA_TEMPLATE. */
export const crdSchemaPath = (/** @type {CrdSchema} */ s) => `${s.group}/${s.kind.toLowerCase()}_${s.version}.json`;
export const CRD_SCHEMA_TEMPLATE = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json";
