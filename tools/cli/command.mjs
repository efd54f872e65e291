// @ts-check
// One command-line harness for every tool: a command's flag table gives its
// parsing, its --help text and its usage errors, so the help cannot drift
// from the flags. Parsing is node:util's parseArgs, strict.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.mjs";

/**
 * @typedef {object} Flag
 * @property {"string" | "boolean"} type
 * @property {string} help          one line for --help
 * @property {string} [short]       one letter
 * @property {string} [value]       the value's placeholder in --help, e.g. "<seconds>"
 * @property {boolean} [multiple]   may be given more than once (values collected in order)
 * @property {string | boolean | string[]} [default]
 * @property {readonly string[]} [choices]  the allowed values; anything else is refused, listing them
 */

/**
 * @typedef {object} CommandSpec
 * @property {string} usage         how it is run, e.g. "npx zx tools/demo.mjs walkthrough"
 * @property {string} [about]       a paragraph under the usage line
 * @property {Record<string, Flag>} flags
 * @property {{ name: string, help: string, required?: boolean }[]} [positionals]  in order
 * @property {string} [rest]        what may follow `--` (e.g. "<app command>"); none: `--` is refused
 * @property {string} [notes]       lines printed after the flags
 */

/**
 * @typedef {object} Parsed
 * @property {Record<string, string | boolean | string[] | undefined>} values
 * @property {string[]} positionals
 * @property {string[] | undefined} rest   what followed `--`, when the command takes it and it was given
 * @property {boolean} help                -h or --help was given (before any `--`)
 */

/** @param {string} name  @param {Flag} f */
const flagWords = (name, f) =>
  `${f.short ? `-${f.short}, ` : ""}--${name}${f.type === "string" ? ` ${f.value ?? (f.choices ? f.choices.join("|") : "<value>")}` : ""}`;

/**
 * @param {CommandSpec} spec
 */
export function defineCommand(spec) {
  const pos = spec.positionals ?? [];
  const synopsis = [
    `Usage: ${spec.usage}`,
    ...pos.map((p) => (p.required ? `<${p.name}>` : `[<${p.name}>]`)),
    Object.keys(spec.flags).length ? "[options]" : "",
    spec.rest ? `[-- ${spec.rest}]` : "",
  ]
    .filter(Boolean)
    .join(" ");

  /** The whole --help text, made from the table. */
  function help() {
    const rows = [
      ...pos.map((p) => [`<${p.name}>`, p.help]),
      ...Object.entries(spec.flags).map(([name, f]) => {
        const dflt = f.default !== undefined && f.default !== false ? ` (default: ${String(f.default)})` : "";
        return [flagWords(name, f), `${f.help}${dflt}`];
      }),
      ["-h, --help", "this help"],
    ];
    if (spec.rest) rows.push([`-- ${spec.rest}`, "everything after `--` is passed on as it is"]);
    const width = Math.min(34, Math.max(...rows.map((r) => (r[0] ?? "").length)) + 2);
    const lines = rows.map(([a = "", b = ""]) =>
      a.length + 2 > width ? `  ${a}\n  ${"".padEnd(width)}${b}` : `  ${a.padEnd(width)}${b}`,
    );
    return [
      synopsis,
      "",
      ...(spec.about ? [spec.about, ""] : []),
      ...lines,
      ...(spec.notes ? ["", spec.notes] : []),
    ].join("\n");
  }

  /**
   * Parses `argv` (the arguments after the command). A mistake is a UsageError (exit 2) naming it.
   * @param {string[]} argv
   * @returns {Parsed}
   */
  function parse(argv) {
    const dd = argv.indexOf("--");
    const own = dd >= 0 ? argv.slice(0, dd) : argv;
    const after = dd >= 0 ? argv.slice(dd + 1) : undefined;
    if (own.includes("-h") || own.includes("--help")) return { values: {}, positionals: [], rest: after, help: true };
    if (after && !spec.rest) throw new UsageError("This command takes nothing after `--`.", synopsis);
    if (after && after.length === 0) throw new UsageError(`Nothing after \`--\`: give ${spec.rest}.`, synopsis);
    /** @type {NonNullable<import("node:util").ParseArgsConfig["options"]>} */
    const options = {};
    for (const [name, f] of Object.entries(spec.flags)) {
      options[name] = /** @type {any} */ ({
        type: f.type,
        ...(f.short ? { short: f.short } : {}),
        ...(f.multiple ? { multiple: true } : {}),
        ...(f.default !== undefined ? { default: f.default } : {}),
      });
    }
    let parsed;
    try {
      parsed = parseArgs({ args: own, options, strict: true, allowPositionals: pos.length > 0 });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new UsageError(`${msg.split("\n")[0]}`, `${synopsis}\n(--help lists the options)`);
    }
    if (parsed.positionals.length > pos.length) {
      throw new UsageError(`Unexpected argument "${parsed.positionals[pos.length]}".`, synopsis);
    }
    const missing = pos.find((p, i) => p.required && parsed.positionals[i] === undefined);
    if (missing) throw new UsageError(`Missing <${missing.name}>: ${missing.help}.`, synopsis);
    for (const [name, f] of Object.entries(spec.flags)) {
      const v = parsed.values[name];
      if (!f.choices || v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) {
        if (typeof one === "string" && !f.choices.includes(one)) {
          throw new UsageError(`Unknown --${name} "${one}".`, `Valid: ${f.choices.join(", ")}.\n${synopsis}`);
        }
      }
    }
    return {
      values: /** @type {Parsed["values"]} */ (parsed.values),
      positionals: parsed.positionals,
      rest: after,
      help: false,
    };
  }

  /**
   * A usage mistake found after parsing (a value out of range, …), with this command's usage.
   * @param {string} message
   */
  const fail = (message) => new UsageError(message, `${synopsis}\n(--help lists the options)`);

  return { spec, synopsis, help, parse, fail };
}

/**
 * A number flag's value, checked: a UsageError naming the flag, its range and what was given.
 * @param {string | undefined} raw
 * @param {string} name   the flag, for the message
 * @param {{ min: number, max: number, integer?: boolean }} range
 * @returns {number | undefined}
 */
export function numberFlag(raw, name, { min, max, integer = false }) {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const ok = raw.trim() !== "" && Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= min && n <= max;
  if (!ok) {
    throw new UsageError(
      `--${name} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got "${raw}".`,
      `For example --${name} ${integer ? Math.max(min, 1) : min}`,
    );
  }
  return n;
}
