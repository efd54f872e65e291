// @ts-check
// Reads and checks the Dapr resources (statestore.yaml, resiliency.yaml) with
// the `yaml` library, so a mistake is refused before anything starts, naming
// the file, the line and the problem. Also derives what the walkthrough
// should see from the policies, and writes per-run copies with overrides.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LineCounter, parse as parseYaml, parseAllDocuments, stringify } from "yaml";
import { ToolError } from "../cli/errors.mjs";
import { onCleanup, refuseIfEnding } from "../cli/cleanup.mjs";
import { RESOURCES, ROOT } from "./paths.mjs";
import { checkResiliencySpec, goDuration } from "./resiliency-check.mjs";

/**
 * What the resiliency policy on the state store's outbound calls means for a run: what daprd
 * should do when Redis goes down. The walkthrough, compare and the tests check against it.
 * @typedef {object} Policy
 * @property {string} file the resiliency file, relative to the repo
 * @property {string[]} scopes the app-ids it applies to (empty: all)
 * @property {string | undefined} retryPolicy name of the retry policy
 * @property {number | undefined} retryEveryMs its constant interval
 * @property {number} maxRetries -1: forever
 * @property {string | undefined} breaker name of the circuit breaker policy
 * @property {string | undefined} breakerName as daprd logs it: "<policy>-<component>"
 * @property {number | undefined} tripAfter consecutive failures that open the breaker
 * @property {number | undefined} openForMs how long it stays open before a trial call
 * @property {number | undefined} timeoutMs the timeout policy on each call, if any
 */

/**
 * One YAML document of a resources file, with the line of a key path for messages.
 * @typedef {{ value: any, line: (keys: (string | number)[]) => number }} YamlDoc
 */

/**
 * A Dapr resource (Component, Resiliency, Configuration…) read from a file.
 * value: the document as plain data (any: it is user input, checked field by field below).
 * @typedef {{ file: string, kind: string, name: string, value: any, doc: YamlDoc }} Resource
 */

/**
 * @typedef {object} CheckedResources
 * @property {Resource[]} resources every document of the folder
 * @property {Resource} store the state store component
 * @property {Record<string, any>} storeMeta its spec.metadata items by name
 * @property {Policy | undefined} policy undefined when no policy targets the state store
 */

/** A mistake in a resources file: exit 2, `file:line: problem`. */
class ResourceError extends ToolError {
  /** @param {string} file  @param {number | undefined} line  @param {string} problem */
  constructor(file, line, problem) {
    const rel = path.relative(ROOT, file);
    super(
      `${rel && !rel.startsWith("..") ? rel : file}${line ? `:${line}` : ""}: ${problem}`,
      "Fix the file and run the command again; nothing was started.",
      2,
    );
  }
}

/**
 * Parses a YAML file into documents, each with a `line(path)` helper for messages.
 * @param {string} file
 * @returns {YamlDoc[]}
 */
function load(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new ResourceError(file, 0, "cannot be read (missing?)");
  }
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: true });
  if (!Array.isArray(docs)) return []; // empty file
  for (const d of docs) {
    const err = d.errors[0];
    if (err)
      throw new ResourceError(
        file,
        err.linePos?.[0]?.line,
        `invalid YAML: ${(err.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`,
      );
  }
  return docs.map((doc) => ({
    value: doc.toJS() ?? {},
    line(keys) {
      for (let n = keys.length; n > 0; n--) {
        const node = /** @type {{ range?: [number, number, number] } | undefined} */ (
          doc.getIn(keys.slice(0, n), true)
        );
        if (node?.range) return lc.linePos(node.range[0]).line;
      }
      return 0;
    },
  }));
}

/**
 * Every resource in a folder.
 * @returns {Resource[]}
 */
function loadResources(dir = RESOURCES) {
  if (!fs.existsSync(dir))
    throw new ToolError(`Resources folder ${dir} does not exist.`, "Pass an existing folder with --resources.", 2);
  const out = [];
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const file = path.join(dir, f);
    for (const doc of load(file)) {
      const v = doc.value;
      if (typeof v !== "object" || Array.isArray(v))
        throw new ResourceError(file, 1, "expected a mapping with apiVersion, kind, metadata, spec");
      if (!v.kind) throw new ResourceError(file, doc.line(["kind"]) || 1, "has no `kind`");
      if (!v.metadata?.name) throw new ResourceError(file, doc.line(["metadata"]) || 1, "has no `metadata.name`");
      out.push({ file, kind: v.kind, name: v.metadata.name, value: v, doc });
    }
  }
  return out;
}

/**
 * Checks the state store and resiliency policies; returns what they mean for the walkthrough.
 * @returns {CheckedResources}
 */
export function checkResources(dir = RESOURCES, storeName = "statestore") {
  const all = loadResources(dir);
  const store = all.find((r) => r.kind === "Component" && r.name === storeName);
  if (!store)
    throw new ToolError(
      `No Component named "${storeName}" in ${dir}.`,
      "resources/statestore.yaml must define it (kind: Component, metadata.name: statestore).",
      2,
    );
  const type = store.value.spec?.type;
  if (typeof type !== "string" || !type.startsWith("state.")) {
    throw new ResourceError(
      store.file,
      store.doc.line(["spec", "type"]),
      `component "${storeName}" has type ${JSON.stringify(type)}; expected a state store such as state.redis`,
    );
  }
  /** @type {Record<string, any>} */
  const meta = Object.fromEntries((store.value.spec?.metadata ?? []).map((/** @type {any} */ m) => [m?.name, m]));
  if (type === "state.redis" && !meta.redisHost) {
    throw new ResourceError(
      store.file,
      store.doc.line(["spec", "metadata"]),
      "state.redis needs a `redisHost` metadata item",
    );
  }

  const resiliency = all.filter((r) => r.kind === "Resiliency");
  // daprd merges every Resiliency it loads: a target may name a policy another file defines.
  /** @type {{ retries: Set<string>, timeouts: Set<string>, circuitBreakers: Set<string> }} */
  const defined = { retries: new Set(), timeouts: new Set(), circuitBreakers: new Set() };
  for (const r of resiliency)
    for (const kind of /** @type {const} */ (["retries", "timeouts", "circuitBreakers"]))
      for (const name of Object.keys(r.value.spec?.policies?.[kind] ?? {})) defined[kind].add(name);
  /** @type {Policy | undefined} */
  let policy;
  for (const r of resiliency) {
    checkResiliencySpec(
      r.value.spec,
      (keys, problem) => {
        throw new ResourceError(r.file, r.doc.line(keys), problem);
      },
      defined,
    );
    const policies = r.value.spec?.policies ?? {};
    for (const [group, targets] of Object.entries(r.value.spec?.targets ?? {})) {
      if (group === "components" && targets?.[storeName]?.outbound) {
        const o = targets[storeName].outbound;
        const retry = policies.retries?.[o.retry];
        const cb = policies.circuitBreakers?.[o.circuitBreaker];
        const trip = /consecutiveFailures\s*(>=|>)\s*(\d+)/.exec(cb?.trip ?? "");
        policy = {
          file: path.relative(ROOT, r.file),
          scopes: r.value.scopes ?? [],
          retryPolicy: o.retry,
          retryEveryMs: retry ? goDuration(retry.duration ?? "5s") : undefined,
          maxRetries: retry?.maxRetries ?? -1,
          breaker: o.circuitBreaker,
          breakerName: cb ? `${o.circuitBreaker}-${storeName}` : undefined,
          tripAfter: trip ? Number(trip[2]) + (trip[1] === ">" ? 1 : 0) : undefined,
          openForMs: cb ? goDuration(cb.timeout ?? "60s") : undefined,
          timeoutMs: o.timeout ? goDuration(policies.timeouts?.[o.timeout] ?? o.timeout) : undefined,
        };
      }
    }
  }
  return { resources: all, store, storeMeta: meta, policy };
}

/** The variable the Redis password comes from when it is not written in the resources. */
export const REDIS_PASSWORD_ENV = "REDIS_PASSWORD";
/** The secret store that reads it: daprd's own environment, limited to REDIS_* variables. */
export const ENV_SECRET_STORE = "redis-env-secrets";
const ENV_SECRET_PREFIX = "REDIS_";

/** A secretstores.local.env component; `prefix` keeps every other variable of daprd out of its secrets API. */
const envSecretStoreYaml =
  () => `# Secrets from daprd's environment, only those named ${ENV_SECRET_PREFIX}*: the state store
# reads its redisPassword from ${REDIS_PASSWORD_ENV} through it, so no password is written here.
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${ENV_SECRET_STORE}
spec:
  type: secretstores.local.env
  version: v1
  metadata:
    - name: prefix
      value: ${ENV_SECRET_PREFIX}
`;

/**
 * Copies a resources folder to a temporary one, changing the state store's
 * metadata (e.g. redisHost for a test's own Redis) and adding extra documents.
 * redisPasswordFromEnv: the state store takes redisPassword from daprd's
 * REDIS_PASSWORD variable through a secretstores.local.env component
 * (secretKeyRef + auth.secretStore) instead of a value in the file.
 * @param {object} [options]
 * @param {string} [options.from] the folder to copy
 * @param {string} [options.storeName]
 * @param {Record<string, string | number | object>} [options.metadata] state store metadata items to set (an object: the item's other fields, e.g. secretKeyRef)
 * @param {string[]} [options.extra] more YAML documents, one file each
 * @param {Record<string, string | null>} [options.replace] file name -> its new text (null: leave it out)
 * @param {boolean} [options.redisPasswordFromEnv]
 * @returns {string} the new folder; the caller removes it
 */
export function writeRunResources({
  from = RESOURCES,
  storeName = "statestore",
  metadata = {},
  extra = [],
  replace = {},
  redisPasswordFromEnv = false,
} = {}) {
  refuseIfEnding("daprd (its resources)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dapr-resources-"));
  // Gone on every way out, even when a signal lands before the caller registered its own removal.
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (redisPasswordFromEnv) {
    const name = REDIS_PASSWORD_ENV.slice(ENV_SECRET_PREFIX.length);
    metadata = { ...metadata, redisPassword: { secretKeyRef: { name, key: name } } };
    fs.writeFileSync(path.join(dir, "redis-password-secretstore.yaml"), envSecretStoreYaml());
  }
  for (const f of fs.readdirSync(from).filter((f) => /\.ya?ml$/.test(f))) {
    if (f in replace) {
      const text = replace[f];
      if (typeof text === "string") fs.writeFileSync(path.join(dir, f), text);
      continue;
    }
    const docs = load(path.join(from, f)).map((d) => d.value);
    for (const v of docs) {
      if (v.kind === "Component" && v.metadata?.name === storeName) {
        /** @type {{ name: string }[]} */
        const items = v.spec.metadata ?? [];
        for (const [name, value] of Object.entries(metadata)) {
          const item = typeof value === "object" ? { name, ...value } : { name, value: String(value) };
          const i = items.findIndex((m) => m.name === name);
          if (i >= 0) items[i] = item;
          else items.push(item);
        }
        v.spec.metadata = items;
        if (redisPasswordFromEnv) v.auth = { secretStore: ENV_SECRET_STORE };
      }
    }
    fs.writeFileSync(path.join(dir, f), docs.map((d) => stringify(d)).join("---\n"));
  }
  extra.forEach((text, i) => fs.writeFileSync(path.join(dir, `extra-${i}.yaml`), text));
  return dir;
}

/**
 * The project's resiliency.yaml with its scopes widened to `appIds`: apps run
 * under app ids of their own (so their keys stay apart) keep the same policy.
 * @param {string[]} appIds
 * @param {(doc: any) => void} [edit] changes to the policy besides the scopes
 */
export function scopedResiliencyYaml(appIds, edit) {
  const doc = parseYaml(fs.readFileSync(path.join(RESOURCES, "resiliency.yaml"), "utf8"));
  if (Array.isArray(doc.scopes)) doc.scopes = [...new Set([...doc.scopes, ...appIds])]; // no scopes = every app already
  edit?.(doc);
  return stringify(doc);
}
