// @ts-check
// What each client style costs in code and npm packages.
import fs from "node:fs";
import path from "node:path";
import { ROOT, VARIANTS } from "../../stack/paths.mjs";

/** @typedef {{files: string[], lines: number, codeLines: number, directDependencies: string[], packageCount: number, packages: string[]}} CodeCost */

/** Lines of a TypeScript file, and those that are neither blank nor only a comment. */
/** @param {string} text */
export function countLines(text) {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let code = 0;
  let inBlock = false;
  for (const raw of lines) {
    const l = raw.trim();
    if (inBlock) {
      if (l.includes("*/")) inBlock = false;
      continue;
    }
    if (!l || l.startsWith("//")) continue;
    if (l.startsWith("/*")) {
      inBlock = !l.includes("*/");
      continue;
    }
    code++;
  }
  return { lines: lines.length, code };
}

/**
 * The npm packages an app pulls in: package-lock.json's tree walked from the
 * app's dependencies the way Node resolves them (nearest node_modules up),
 * workspace links left out. Returns distinct name@version strings.
 * @param {any} lock package-lock.json, parsed
 * @param {string} appDir
 */
export function lockPackages(lock, appDir) {
  const pkgs = lock.packages;
  const resolve = (/** @type {string} */ from, /** @type {string} */ name) => {
    for (let base = from; ;) {
      const at = `${base ? `${base}/` : ""}node_modules/${name}`;
      if (pkgs[at]) return at;
      if (!base) return undefined;
      const i = base.lastIndexOf("/node_modules/");
      base = i >= 0 ? base.slice(0, i) : "";
    }
  };
  const seen = new Map();
  /** @param {string} from */
  const visit = (from) => {
    const p = pkgs[from] ?? {};
    const optionalPeers = Object.keys(p.peerDependenciesMeta ?? {}).filter((n) => p.peerDependenciesMeta[n]?.optional);
    const names = [
      ...Object.keys(p.dependencies ?? {}),
      ...Object.keys(p.optionalDependencies ?? {}),
      ...Object.keys(p.peerDependencies ?? {}).filter((n) => !optionalPeers.includes(n)),
    ];
    for (const name of names) {
      const at = resolve(from, name);
      if (!at || seen.has(at) || pkgs[at].link) continue; // not installed here (optional), already walked, or a workspace
      seen.set(at, `${name}@${pkgs[at].version}`);
      visit(at);
    }
  };
  visit(appDir);
  return [...new Set(seen.values())].sort();
}

/** @param {keyof typeof VARIANTS} variant @returns {CodeCost} */
export function codeVariant(variant) {
  const dir = path.join(ROOT, "apps", VARIANTS[variant].project);
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const files = fs
    .readdirSync(path.join(dir, "src"))
    .filter((f) => f.endsWith(".ts") && !/\.spec\.ts$/.test(f))
    .sort();
  const counts = files.map((f) => countLines(fs.readFileSync(path.join(dir, "src", f), "utf8")));
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies ?? {});
  const packages = lockPackages(lock, path.relative(ROOT, dir));
  return {
    files,
    lines: counts.reduce((a, c) => a + c.lines, 0),
    codeLines: counts.reduce((a, c) => a + c.code, 0),
    directDependencies: deps.filter((d) => !lock.packages[`node_modules/${d}`]?.link),
    packageCount: packages.length,
    packages,
  };
}
