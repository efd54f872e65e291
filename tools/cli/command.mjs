// @ts-check
// One command-line harness for every tool: a command's table (flags,
// positionals, what follows `--`) gives its parsing, its --help text and its
// usage errors, so the help cannot drift from the flags. Parsing is
// node:util's parseArgs, strict. defineGroup does the same for a tool made of
// commands (demo.mjs).
import { parseArgs } from "node:util";
import { UsageError } from "./errors.mjs";

/**
 * @typedef {object} Flag
 * @property {"string" | "boolean"} type
 * @property {string} help          one line for --help
 * @property {string} [short]       one letter
 * @property {string} [value]       the value's placeholder in --help, e.g. "<seconds>"
 * @property {boolean} [required]   a string flag that must be given
 * @property {boolean} [multiple]   may be given more than once (values collected in order; none: [])
 * @property {string | readonly string[]} [default]  shown in --help; a boolean's default is false
 * @property {readonly string[]} [choices]  the allowed values; anything else is refused, listing them
 */

/**
 * @typedef {object} Positional
 * @property {string} name
 * @property {string} help
 * @property {boolean} [required]
 * @property {readonly string[]} [choices]  the allowed values, shown in the usage line (`check|update`)
 * @property {string} [default]   when it is not given
 * @property {boolean} [variadic] the last one only: any number of them
 */

/**
 * @typedef {object} CommandSpec
 * @property {string} usage         how it is run, e.g. "npx zx tools/demo.mjs walkthrough"
 * @property {string} [about]       a paragraph under the usage line
 * @property {Record<string, Flag>} flags
 * @property {readonly Positional[]} [positionals]  in order
 * @property {string} [rest]        what may follow `--` (e.g. "<app command>"); none: `--` is refused
 * @property {string} [restHelp]    its line in --help (default: passed on as it is)
 * @property {boolean} [restOnly]   every argument but -h/--help is `rest`, passed on unparsed (to vitest)
 * @property {string} [notes]       lines printed after the flags
 */

/**
 * A flag's parsed value, by its table entry.
 * @template {Flag} F
 * @typedef {F extends { type: "boolean" } ? boolean : F extends { multiple: true } ? string[] : F extends { default: string } | { required: true } ? string : string | undefined} FlagValue
 */

/**
 * @template {Record<string, Flag>} F
 * @typedef {object} Parsed
 * @property {{ -readonly [K in keyof F]: FlagValue<F[K]> }} values
 * @property {string[]} positionals        defaults filled in
 * @property {string[] | undefined} rest   what followed `--` (with restOnly: every argument)
 * @property {boolean} help                -h or --help was given (before any `--`)
 */

/** Words into lines of at most `width` characters. @param {string} text  @param {number} width */
function wrap(text, width) {
  return text.split("\n").flatMap((para) => {
    const lines = [""];
    for (const word of para.split(" ")) {
      const last = lines.length - 1;
      if (lines[last] && `${lines[last]} ${word}`.length > width) lines.push(word);
      else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
    }
    return lines;
  });
}

/** Rows of two columns, the second aligned and wrapped at 110 characters. @param {string[][]} rows */
function columns(rows) {
  const width = Math.min(34, Math.max(...rows.map((r) => (r[0] ?? "").length)) + 2);
  const pad = " ".repeat(width + 2);
  return rows.map(([a = "", b = ""]) => {
    const text = wrap(b, 108 - width).join(`\n${pad}`);
    return a.length + 2 > width ? `  ${a}\n${pad}${text}` : `  ${a.padEnd(width)}${text}`;
  });
}

/** `Usage: <usage> <words>`, wrapped under its first word. @param {string} usage  @param {string[]} words */
function usageLine(usage, words) {
  const head = `Usage: ${usage}`;
  const indent = " ".repeat(head.length < 44 ? head.length + 1 : 4);
  const lines = [head];
  for (const w of words) {
    const last = lines.length - 1;
    if (`${lines[last]} ${w}`.length > 110 && lines[last] !== head) lines.push(`${indent}${w}`);
    else lines[last] = `${lines[last]} ${w}`;
  }
  return lines.join("\n");
}

/** "a, b or c"; a value with a space in quotes. @param {readonly string[]} values  @param {string} [word] */
const oneOf = (values, word = "or") => {
  const list = values.map((v) => (/\s/.test(v) ? `"${v}"` : v));
  return list.length < 2 ? list.join("") : `${list.slice(0, -1).join(", ")} ${word} ${list[list.length - 1]}`;
};

/** @param {Flag} f */
const placeholder = (f) => f.value ?? (f.choices ? f.choices.join("|") : "<value>");

/** @param {Positional} p */
const positionalWord = (p) => {
  const word = p.choices ? p.choices.join("|") : `<${p.name}>`;
  return p.variadic ? `[${word}...]` : p.required ? word : `[${word}]`;
};

/**
 * @template {Record<string, Flag>} const F
 * @param {CommandSpec & { flags: F }} spec
 */
export function defineCommand(spec) {
  const pos = spec.positionals ?? [];
  const synopsis = usageLine(spec.usage, [
    ...pos.map(positionalWord),
    ...Object.entries(spec.flags).map(([name, f]) => {
      const flag = `${f.short ? `-${f.short}|` : ""}--${name}${f.type === "string" ? ` ${placeholder(f)}` : ""}`;
      const word = f.required ? flag : `[${flag}]`;
      return f.multiple ? `${word}...` : word;
    }),
    ...(spec.rest ? [spec.restOnly ? `[${spec.rest}]` : `[-- ${spec.rest}]`] : []),
  ]);
  const seeHelp = `${synopsis}\n(--help lists the options)`;

  /**
   * A usage mistake found after parsing (a value out of range, …), with this command's usage.
   * @param {string} message  what is wrong
   * @param {string} [hint]   how to put it right, printed above the usage
   */
  const fail = (message, hint) => new UsageError(message, hint ? `${hint}\n${seeHelp}` : seeHelp);

  /** The whole --help text, made from the table. */
  function help() {
    const rows = [
      ...pos.map((p) => [
        positionalWord(p).replace(/^\[(.*)\]$/, "$1"),
        `${p.help}${p.default !== undefined ? ` (default: ${p.default})` : ""}`,
      ]),
      ...Object.entries(spec.flags).map(([name, f]) => {
        const words = `${f.short ? `-${f.short}, ` : ""}--${name}${f.type === "string" ? ` ${placeholder(f)}` : ""}`;
        const dflt = f.default !== undefined && String(f.default) !== "" ? ` (default: ${String(f.default)})` : "";
        const choices = f.choices && f.value ? `: ${oneOf(f.choices)}` : "";
        const more = `${f.multiple ? " (repeatable)" : ""}${f.required ? " (required)" : ""}`;
        return [words, `${f.help}${choices}${more}${dflt}`];
      }),
      ["-h, --help", "this help"],
    ];
    if (spec.rest)
      rows.push([
        spec.restOnly ? spec.rest : `-- ${spec.rest}`,
        spec.restHelp ?? (spec.restOnly ? "every other argument is passed on as it is" : "passed on as it is"),
      ]);
    return [
      synopsis,
      "",
      ...(spec.about ? [spec.about, ""] : []),
      ...columns(rows),
      ...(spec.notes ? ["", ...spec.notes.split("\n").flatMap((l) => (l.length > 110 ? wrap(l, 110) : [l]))] : []),
    ].join("\n");
  }

  /**
   * Parses `argv` (the arguments after the command). A mistake is a UsageError (exit 2) naming it.
   * @param {string[]} argv
   * @returns {Parsed<F>}
   */
  function parse(argv) {
    const dd = argv.indexOf("--");
    const own = dd >= 0 ? argv.slice(0, dd) : argv;
    const help = own.includes("-h") || own.includes("--help");
    if (spec.restOnly) {
      const values = /** @type {Parsed<F>["values"]} */ ({});
      return { values, positionals: [], rest: argv[0] === "--" ? argv.slice(1) : argv, help };
    }
    const after = dd >= 0 ? argv.slice(dd + 1) : undefined;
    if (help) return { values: /** @type {Parsed<F>["values"]} */ ({}), positionals: [], rest: after, help: true };
    if (after && !spec.rest) throw new UsageError("This command takes nothing after `--`.", seeHelp);
    if (after && after.length === 0) throw new UsageError(`Nothing after \`--\`: give ${spec.rest}.`, seeHelp);
    /** @type {NonNullable<import("node:util").ParseArgsConfig["options"]>} */
    const options = {};
    for (const [name, f] of Object.entries(spec.flags)) {
      const dflt = f.type === "boolean" ? false : (f.default ?? (f.multiple ? [] : undefined));
      options[name] = /** @type {any} */ ({
        type: f.type,
        ...(f.short ? { short: f.short } : {}),
        ...(f.multiple ? { multiple: true } : {}),
        ...(dflt !== undefined ? { default: f.multiple && !Array.isArray(dflt) ? [dflt] : dflt } : {}),
      });
    }
    let parsed;
    try {
      parsed = parseArgs({ args: own, options, strict: true, allowPositionals: true });
    } catch (err) {
      const e = /** @type {Error & { code?: string }} */ (err);
      // Node's hint for an unknown option is about positionals after `--`, which is not what these tools mean.
      const msg = e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `${e.message.split(". ")[0]}.` : e.message;
      throw new UsageError(msg.split("\n")[0] ?? msg, seeHelp);
    }
    const variadic = pos[pos.length - 1]?.variadic;
    if (!variadic && parsed.positionals.length > pos.length) {
      const extra = parsed.positionals[pos.length];
      throw fail(
        `Unexpected argument "${extra}".`,
        spec.rest ? `Put ${spec.rest} after \`--\`: -- ${extra} …` : undefined,
      );
    }
    const positionals = [...parsed.positionals];
    pos.forEach((p, i) => {
      if (positionals[i] === undefined && p.default !== undefined) positionals[i] = p.default;
    });
    const missing = pos.find((p, i) => p.required && positionals[i] === undefined);
    if (missing) throw fail(`Missing <${missing.name}>: ${missing.choices ? oneOf(missing.choices) : missing.help}.`);
    pos.forEach((p, i) => {
      const given = p.variadic ? positionals.slice(i) : positionals.slice(i, i + 1);
      const bad = p.choices && given.find((v) => !p.choices?.includes(v));
      if (bad !== undefined && p.choices)
        throw new UsageError(`Unknown ${p.name} "${bad}".`, `Use ${oneOf(p.choices)}.\n${synopsis}`);
    });
    for (const [name, f] of Object.entries(spec.flags)) {
      const v = parsed.values[name];
      if (f.required && v === undefined) throw fail(`Missing --${name}${f.choices ? `: ${oneOf(f.choices)}` : ""}.`);
      for (const one of Array.isArray(v) ? v : [v]) {
        if (f.choices && typeof one === "string" && !f.choices.includes(one)) {
          throw new UsageError(`Unknown --${name} "${one}".`, `Use --${name} ${oneOf(f.choices)}.\n${synopsis}`);
        }
      }
    }
    return {
      values: /** @type {Parsed<F>["values"]} */ (parsed.values),
      positionals,
      rest: after,
      help: false,
    };
  }

  /** For -h/--help: the help on stdout; returns the exit code, 0. @returns {0} */
  const printHelp = () => {
    process.stdout.write(`${help()}\n`);
    return 0;
  };

  return { spec, synopsis, help, parse, fail, printHelp };
}

/** @typedef {ReturnType<typeof defineCommand<Record<string, Flag>>>} Command */

/**
 * A tool made of commands (`demo.mjs walkthrough …`): the first argument picks one; --help lists them.
 * @template {string} N
 * @param {{ usage: string, about?: string, commands: Record<N, { about: string }>, notes?: string }} spec
 */
export function defineGroup(spec) {
  const names = /** @type {N[]} */ (Object.keys(spec.commands));
  const synopsis = usageLine(spec.usage, [names.join("|"), "[options]"]);
  const fix = `${synopsis}\n(${spec.usage} --help lists them)`;
  const help = () =>
    [
      synopsis,
      "",
      ...(spec.about ? [spec.about, ""] : []),
      ...columns([...names.map((n) => [n, spec.commands[n].about]), ["-h, --help", "this help"]]),
      "",
      `${spec.usage} <command> --help lists a command's options.`,
      ...(spec.notes ? [spec.notes] : []),
    ].join("\n");
  /**
   * The command and its arguments, or help when the first argument asks for it.
   * @param {string[]} argv
   * @returns {{ help: true } | { help: false, name: N, argv: string[] }}
   */
  function pick(argv) {
    const [first, ...rest] = argv;
    if (first === "-h" || first === "--help") return { help: true };
    if (first === undefined) throw new UsageError(`Which command? One of ${oneOf(names)}.`, fix);
    if (!Object.hasOwn(spec.commands, first))
      throw new UsageError(`Unknown command "${first}".`, `Use ${oneOf(names)}.\n${fix}`);
    return { help: false, name: /** @type {N} */ (first), argv: rest };
  }
  return { synopsis, help, pick };
}

/** @typedef {{ min: number, max: number, integer?: boolean, unit?: string }} NumberRange  unit "seconds": "a number of seconds" */
/**
 * @overload
 * @param {string} raw
 * @param {string} name
 * @param {NumberRange} range
 * @returns {number}
 */
/**
 * @overload
 * @param {string | undefined} raw
 * @param {string} name
 * @param {NumberRange} range
 * @returns {number | undefined}
 */
/**
 * A number flag's value, checked: a UsageError naming the flag, its range and what was given.
 * @param {string | undefined} raw   undefined (not given) stays undefined
 * @param {string} name   the flag, for the message
 * @param {NumberRange} range
 * @returns {number | undefined}
 */
export function numberFlag(raw, name, { min, max, integer = false, unit }) {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const ok = raw.trim() !== "" && Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= min && n <= max;
  if (!ok) {
    const what = `${integer ? "a whole number" : "a number"}${unit ? ` of ${unit}` : ""}`;
    throw new UsageError(
      `--${name} must be ${what} from ${min} to ${max}, got "${raw}".`,
      `For example --${name} ${integer ? Math.max(min, 1) : min}`,
    );
  }
  return n;
}

/**
 * A comma-separated flag's items, trimmed, each once, in order; with choices, only those.
 * @template {string} T
 * @param {string} raw
 * @param {string} name   the flag, for the message
 * @param {{ choices?: readonly T[] }} [options]
 * @returns {T[]}
 */
export function listFlag(raw, name, { choices } = {}) {
  const items = [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const fix = choices ? `Use any of ${choices.join(",")}, comma-separated.` : "Give a comma-separated list.";
  if (!items.length) throw new UsageError(`--${name}: none given.`, fix);
  const unknown = choices ? items.filter((i) => !choices.includes(/** @type {T} */ (i))) : [];
  if (unknown.length) throw new UsageError(`--${name}: unknown "${unknown.join(", ")}".`, fix);
  return /** @type {T[]} */ (items);
}
