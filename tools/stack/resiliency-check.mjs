// @ts-check
// Every field of a Resiliency that daprd 1.18 reads, checked the way daprd reads it
// (pkg/apis/resiliency/v1alpha1 for the shape, pkg/resiliency for the values, kit's
// config decoder for durations), so that a policy daprd would drop with a
// "Could not read resiliency policy" line, or never apply, is refused before
// anything starts. Each mistake throws through `fail(keys, problem)`, which the
// caller turns into `file:line: problem`.
import { Environment } from "@marcbachmann/cel-js";

/** @typedef {(keys: (string | number)[], problem: string) => never} Fail */

// The counts daprd's circuit breaker passes to its trip expression (pkg/resiliency/breaker), all int64.
export const TRIP_VARIABLES = [
  "requests",
  "totalSuccesses",
  "totalFailures",
  "consecutiveSuccesses",
  "consecutiveFailures",
];
// Retry policies daprd defines itself; a target may name them.
const BUILT_IN_RETRIES = [
  "DaprBuiltInServiceRetries",
  "DaprBuiltInActorRetries",
  "DaprBuiltInActorReminderRetries",
  "DaprBuiltInInitializationRetries",
  "DaprBuiltInActorNotFoundRetries",
];

// daprd declares every variable of the expression as dyn (pkg/expr); undeclared ones are refused here
// because daprd would accept them and then fail every evaluation, which it reads as "do not trip".
const cel = new Environment();
for (const v of TRIP_VARIABLES) cel.registerVariable(v, "dyn");

const UNITS = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 36e5 };
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

/**
 * A policy duration as daprd reads it: a whole number is milliseconds, anything else Go's
 * time.ParseDuration ("5s", "1m30s", ".5s", "-1s").
 * @param {unknown} value
 * @returns {number | undefined} milliseconds; undefined when daprd would refuse it
 */
export function goDuration(value) {
  if (typeof value !== "string") return undefined;
  if (/^[-+]?\d+$/.test(value)) return Number(value);
  if (!GO_DURATION.test(value)) return undefined;
  const sign = value.startsWith("-") ? -1 : 1;
  let ms = 0;
  for (const m of value.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    ms += Number(m[1]) * UNITS[/** @type {keyof typeof UNITS} */ (m[2])];
  return sign * ms;
}

/**
 * @param {Fail} fail
 * @param {(string | number)[]} at
 * @param {unknown} value
 * @param {string[]} known
 * @param {string} what
 */
function onlyKnownKeys(fail, at, value, known, what) {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) fail(at, `${what} must be a mapping`);
  for (const key of Object.keys(/** @type {object} */ (value))) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
      fail(
        [...at, key],
        `\`${key}\` is not a field of ${what}; daprd ignores it${near ? ` (did you mean ${near}?)` : ""}. Its fields: ${known.join(", ")}`,
      );
    }
  }
  return /** @type {Record<string, unknown>} */ (value);
}

/**
 * @param {Fail} fail @param {(string | number)[]} at @param {unknown} value
 * @param {string} example shown in the message
 */
function checkDuration(fail, at, value, example = "5s, 500ms or 1m30s") {
  const key = `\`${at.join(".")}: ${value}\``;
  if (typeof value !== "string")
    fail(at, `${key} must be a quoted string ("${value}ms", or like ${example}): daprd cannot read the file otherwise`);
  if (goDuration(value) === undefined) fail(at, `${key} is not a duration; write it like ${example}`);
}

/** @param {Fail} fail @param {(string | number)[]} at @param {unknown} value @param {string} what */
function checkString(fail, at, value, what) {
  if (value !== undefined && typeof value !== "string") fail(at, `${what} must be a string`);
}

/**
 * A `matching` list of codes as daprd parses it: "500,502-504", each in the protocol's range.
 * @param {Fail} fail @param {(string | number)[]} at @param {unknown} value @param {[number, number]} range
 */
function checkCodes(fail, at, value, range) {
  if (value === undefined) return;
  if (typeof value !== "string") fail(at, `must be a quoted list of codes like "500,502-504"`);
  for (const p of value.split(",").filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    const [start, end] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || start < range[0] || end > range[1] || end < start)
      fail(at, `"${p}" is not a code or a range of codes from ${range[0]} to ${range[1]} (like 500 or 502-504)`);
  }
}

/**
 * The breaker's trip expression, as daprd's CEL environment reads and evaluates it.
 * @param {Fail} fail @param {(string | number)[]} at @param {unknown} trip @param {string} name
 */
function checkTrip(fail, at, trip, name) {
  const prefix = `circuit breaker "${name}": trip \`${trip}\``;
  if (typeof trip !== "string") fail(at, `${prefix} must be an expression like "consecutiveFailures >= 5"`);
  const checked = cel.check(trip);
  if (!checked.valid) {
    const msg = (checked.error?.message ?? "").split("\n")[0] ?? "";
    const unknown = /^Unknown variable: (\S+)/.exec(msg);
    fail(
      at,
      unknown
        ? `${prefix} uses \`${unknown[1]}\`, which daprd does not give it (it would never open the breaker); use ${TRIP_VARIABLES.join(", ")}`
        : `${prefix} is not a valid CEL expression (${msg}); daprd would drop the whole policy. Write it like "consecutiveFailures >= 5"`,
    );
  }
  if (checked.type !== "bool" && checked.type !== "dyn")
    fail(
      at,
      `${prefix} gives ${checked.type}, not true or false: daprd would never open the breaker. Compare it, like "consecutiveFailures >= 5"`,
    );
  // daprd reads an evaluation error, or a result that is not a bool, as "do not trip".
  for (const n of [0n, 1n, 5n, 100n]) {
    let result;
    try {
      result = cel.evaluate(trip, Object.fromEntries(TRIP_VARIABLES.map((v) => [v, n])));
    } catch (err) {
      fail(
        at,
        `${prefix} fails when daprd evaluates it (${String(/** @type {Error} */ (err).message).split("\n")[0]}): the breaker would never open`,
      );
    }
    if (typeof result !== "boolean")
      fail(at, `${prefix} gives ${typeof result}, not true or false: daprd would never open the breaker`);
  }
}

/**
 * Checks one Resiliency document's fields; `policies` are every policy name the run's Resiliency
 * documents define (daprd merges them), for the targets' references.
 * @param {any} spec the document's spec
 * @param {Fail} fail
 * @param {{ retries: Set<string>, timeouts: Set<string>, circuitBreakers: Set<string> }} policies
 */
export function checkResiliencySpec(spec, fail, policies) {
  const s = onlyKnownKeys(fail, ["spec"], spec, ["policies", "targets"], "a Resiliency spec");
  const p = onlyKnownKeys(
    fail,
    ["spec", "policies"],
    s.policies,
    ["timeouts", "retries", "circuitBreakers"],
    "spec.policies",
  );
  for (const [name, t] of Object.entries(p.timeouts ?? {}))
    checkDuration(fail, ["spec", "policies", "timeouts", name], t);
  for (const [name, r] of Object.entries(p.retries ?? {})) {
    const at = ["spec", "policies", "retries", name];
    const retry = onlyKnownKeys(
      fail,
      at,
      r,
      ["policy", "duration", "maxInterval", "maxRetries", "matching"],
      `retry policy "${name}"`,
    );
    checkString(fail, [...at, "policy"], retry.policy, `retry policy "${name}": policy`);
    if (retry.policy !== undefined && !["constant", "exponential"].includes(String(retry.policy).toLowerCase()))
      fail(
        [...at, "policy"],
        `retry policy "${name}" has policy ${JSON.stringify(retry.policy)}; use constant or exponential`,
      );
    for (const key of ["duration", "maxInterval"])
      if (retry[key] !== undefined) checkDuration(fail, [...at, key], retry[key]);
    if (retry.maxRetries !== undefined && !Number.isInteger(retry.maxRetries))
      fail([...at, "maxRetries"], `retry policy "${name}": maxRetries must be a whole number (-1 retries forever)`);
    const m = onlyKnownKeys(
      fail,
      [...at, "matching"],
      retry.matching,
      ["httpStatusCodes", "gRPCStatusCodes"],
      "matching",
    );
    checkCodes(fail, [...at, "matching", "httpStatusCodes"], m.httpStatusCodes, [100, 599]);
    checkCodes(fail, [...at, "matching", "gRPCStatusCodes"], m.gRPCStatusCodes, [0, 16]);
  }
  for (const [name, c] of Object.entries(p.circuitBreakers ?? {})) {
    const at = ["spec", "policies", "circuitBreakers", name];
    const cb = onlyKnownKeys(fail, at, c, ["maxRequests", "interval", "timeout", "trip"], `circuit breaker "${name}"`);
    const max = cb.maxRequests;
    if (max !== undefined && !(Number.isInteger(max) && Number(max) >= 0 && Number(max) < 2 ** 32))
      fail([...at, "maxRequests"], `circuit breaker "${name}": maxRequests must be a whole number, 0 or more`);
    for (const key of ["interval", "timeout"]) if (cb[key] !== undefined) checkDuration(fail, [...at, key], cb[key]);
    if (cb.trip !== undefined) checkTrip(fail, [...at, "trip"], cb.trip, name);
  }
  const targets = onlyKnownKeys(fail, ["spec", "targets"], s.targets, ["apps", "actors", "components"], "spec.targets");
  const names = ["timeout", "retry", "circuitBreaker"];
  const extra = {
    apps: ["circuitBreakerCacheSize"],
    actors: ["circuitBreakerScope", "circuitBreakerCacheSize"],
    components: [],
  };
  for (const [group, byName] of Object.entries(targets)) {
    for (const [target, t] of Object.entries(/** @type {Record<string, unknown>} */ (byName ?? {}))) {
      const at = ["spec", "targets", group, target];
      const dirs = group === "components" ? ["outbound", "inbound"] : [undefined];
      if (group === "components") onlyKnownKeys(fail, at, t, ["outbound", "inbound"], `component target ${target}`);
      for (const dir of dirs) {
        const where = dir ? [...at, dir] : at;
        const refs = onlyKnownKeys(
          fail,
          where,
          dir ? /** @type {any} */ (t)?.[dir] : t,
          [...names, ...extra[/** @type {keyof typeof extra} */ (group)]],
          `target ${target}${dir ? ` ${dir}` : ""}`,
        );
        checkRefs(fail, where, refs, target, policies);
        if (
          group === "actors" &&
          refs.circuitBreaker !== undefined &&
          !["type", "id", "both"].includes(String(refs.circuitBreakerScope))
        )
          fail(
            [...where, "circuitBreakerScope"],
            `actor target ${target}: a circuit breaker needs circuitBreakerScope type, id or both`,
          );
      }
    }
  }
}

/**
 * The policy names a target refers to must exist: daprd looks them up when a call is made and
 * applies nothing for a name it does not know (a timeout, too, is only ever a name).
 * @param {Fail} fail @param {(string | number)[]} at @param {Record<string, unknown>} refs @param {string} target
 * @param {{ retries: Set<string>, timeouts: Set<string>, circuitBreakers: Set<string> }} policies
 */
function checkRefs(fail, at, refs, target, policies) {
  /** @type {[string, "retries" | "timeouts" | "circuitBreakers"][]} */
  const kinds = [
    ["retry", "retries"],
    ["timeout", "timeouts"],
    ["circuitBreaker", "circuitBreakers"],
  ];
  for (const [key, kind] of kinds) {
    const ref = refs[key];
    if (ref === undefined) continue;
    const known = kind === "retries" ? [...policies.retries, ...BUILT_IN_RETRIES] : [...policies[kind]];
    if (typeof ref === "string" && known.includes(ref)) continue;
    const literal = key === "timeout" && goDuration(ref) !== undefined;
    fail(
      [...at, key],
      `target ${target} refers to ${key} "${ref}", which spec.policies.${kind} does not define${literal ? " (daprd takes a timeout's name here, not a duration: define it under spec.policies.timeouts)" : ""}${policies[kind].size ? ` (defined: ${[...policies[kind]].join(", ")})` : ""}`,
    );
  }
}
