// @ts-check
// The three apps' container images, built from apps/<x>-app/Dockerfile with
// the engine the tools use, and run the way deploy/kubernetes runs them:
// uid 1000, a read-only root filesystem, no capabilities, no privilege gain;
// beside a daprd on the host (host network, loopback).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { $ } from "zx";
import { ROOT, VARIANTS, VERSIONS } from "./paths.mjs";
import { ToolError } from "../cli/errors.mjs";
import { step } from "../cli/console.mjs";
import { ensureEngine, podmanEnv } from "./container-engine.mjs";
import { IMAGES_DIR, imageExists, localNodeImage } from "./images.mjs";
import { startApp, startRedis } from "./isolated-stack.mjs";

/** The official base image the Dockerfiles name (their NODE_IMAGE default). */
export const OFFICIAL_NODE_IMAGE = `node:${VERSIONS.nodeImage}`;

/**
 * The base image: the official one when the engine has it or can pull it, else one built here.
 * @returns {Promise<string>}
 */
export async function nodeBaseImage() {
  if (await imageExists(OFFICIAL_NODE_IMAGE)) return OFFICIAL_NODE_IMAGE;
  if ((await $`docker pull ${OFFICIAL_NODE_IMAGE}`.nothrow().quiet().timeout("600s")).exitCode === 0)
    return OFFICIAL_NODE_IMAGE;
  step(`no registry answers (docker pull ${OFFICIAL_NODE_IMAGE} failed): using a Node.js base image built here`);
  return localNodeImage();
}

/** What a build reads (the .dockerignore keeps the rest out), hashed: an image's tag. @param {string} base */
async function contextKey(base) {
  const r = await $({
    cwd: ROOT,
  })`git ls-files -co --exclude-standard -- package.json package-lock.json nx.json tsconfig.base.json .dockerignore apps libs tools/package.json`.quiet();
  const h = crypto.createHash("sha256").update(base);
  h.update((await $`docker image inspect --format {{.Id}} ${base}`.quiet()).stdout);
  for (const f of r.stdout.split("\n").filter(Boolean).sort()) {
    if (/(^|\/)(dist|node_modules)\//.test(f) || !fs.existsSync(path.join(ROOT, f))) continue;
    h.update(f).update(fs.readFileSync(path.join(ROOT, f)));
  }
  return h.digest("hex").slice(0, 12);
}

/**
 * Builds from the repo root. Host network: the build stages run npm ci against the registry the
 * host reaches, trusting what the host's npm trusts (NODE_EXTRA_CA_CERTS or npm's cafile, lent
 * to the build as a global npmrc, not copied into any image). On this project's podman, podman
 * build itself: the Docker CLI's legacy builder sends podman's API a context without the files
 * .dockerignore lets back in (apps/http-app/package.json was missing).
 * @param {boolean} podman
 * @param {string[]} args
 */
async function build(podman, args) {
  const cafile = process.env.NODE_EXTRA_CA_CERTS || (await $`npm config get cafile`.nothrow().quiet()).stdout.trim();
  const mounts = [];
  if (podman && cafile && cafile !== "null" && fs.existsSync(cafile)) {
    fs.mkdirSync(IMAGES_DIR, { recursive: true });
    const npmrc = path.join(IMAGES_DIR, "build-npmrc");
    fs.writeFileSync(npmrc, "cafile=/run/host-ca.crt\n");
    mounts.push("--volume", `${cafile}:/run/host-ca.crt:ro`, "--volume", `${npmrc}:/usr/local/etc/npmrc:ro`);
  }
  const cmd = podman ? ["podman", "build", ...mounts] : ["docker", "build"];
  const env = podman ? podmanEnv() : { ...process.env, DOCKER_BUILDKIT: process.env.DOCKER_BUILDKIT ?? "1" };
  return $({ cwd: ROOT, env })`${cmd} --network host ${args} .`.nothrow().quiet().timeout("1800s");
}

/**
 * @typedef {object} BuiltImage
 * @property {string} tag
 * @property {string} base        the NODE_IMAGE it was built on
 * @property {boolean} cached     it was there already
 * @property {number} buildSeconds 0 when cached
 * @property {number} bytes       its size, as the engine reports it
 */

/**
 * The image of one variant, built unless an image of the same inputs is there.
 * @param {import("./paths.mjs").VariantName} variant
 * @returns {Promise<BuiltImage>}
 */
export async function appImage(variant) {
  const engine = await ensureEngine();
  const base = await nodeBaseImage();
  const { project } = VARIANTS[variant];
  const tag = `localhost/dapr-resiliency/${project}:${await contextKey(base)}`;
  const cached = await imageExists(tag);
  const started = Date.now();
  if (!cached) {
    step(`building ${tag} from apps/${project}/Dockerfile (NODE_IMAGE=${base})`);
    const r = await build(engine.ours, [
      "--build-arg",
      `NODE_IMAGE=${base}`,
      "-f",
      `apps/${project}/Dockerfile`,
      "-t",
      tag,
    ]);
    if (r.exitCode !== 0)
      throw new ToolError(
        `Building apps/${project}/Dockerfile failed:\n${(r.stdout + r.stderr).trim().split("\n").slice(-12).join("\n")}`,
      );
  }
  const bytes = Number((await $`docker image inspect --format {{.Size}} ${tag}`.quiet()).stdout.trim());
  return { tag, base, cached, buildSeconds: cached ? 0 : (Date.now() - started) / 1000, bytes };
}

/**
 * The command that runs an image beside daprd as deploy/kubernetes runs it; the DAPR_* and
 * APP_ID variables the sidecar sets for its app are passed on by name (`-e NAME`).
 * @param {string} tag
 * @param {string} name the container's name (removed when it ends: --rm)
 */
export function dockerRunCommand(tag, name) {
  return [
    "docker",
    "run",
    "--rm",
    "--name",
    name,
    "--network",
    "host",
    "--user",
    "1000:1000",
    "--read-only",
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    ...["DAPR_HOST", "DAPR_HTTP_PORT", "DAPR_GRPC_PORT", "APP_ID", "DAPR_API_TOKEN"].flatMap((v) => ["-e", v]),
    tag,
  ];
}

/**
 * What an image holds that a production image should not: dev dependencies, source maps, test files. Listed by the image's own node.
 * @param {string} tag
 * @returns {Promise<{ devDependencies: string[], sourceMaps: string[], testFiles: string[], packages: number }>}
 */
export async function imageContents(tag) {
  const script = `const fs=require("fs"),p=require("path");const out=[];const walk=(d)=>{for(const e of fs.readdirSync(d,{withFileTypes:true})){const f=p.join(d,e.name);if(e.isSymbolicLink())continue;if(e.isDirectory())walk(f);else out.push(f);}};walk("/app");console.log(JSON.stringify(out));`;
  const r = await $`docker run --rm --network none --user 1000:1000 --read-only --entrypoint node ${tag} -e ${script}`
    .nothrow()
    .quiet()
    .timeout("120s");
  if (r.exitCode !== 0) throw new ToolError(`Listing ${tag}'s files failed:\n${r.stderr.trim()}`);
  /** @type {string[]} */
  const files = JSON.parse(r.stdout);
  // A dev dependency is what the lockfile marks dev (needed by nothing in production): a root
  // devDependency that a production package also needs (@types/node for @dapr/dapr) is not one.
  /** @type {Record<string, { dev?: boolean }>} */
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")).packages;
  const installed = files.flatMap((f) => {
    const m = /^\/app\/((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(f);
    return m?.[1] && lock[m[1]] ? [m[1]] : [];
  });
  return {
    devDependencies: installed.filter((k) => lock[k]?.dev).map((k) => k.replace(/^.*node_modules\//, "")),
    sourceMaps: files.filter((f) => f.endsWith(".map") && !f.includes("/node_modules/")),
    testFiles: files.filter((f) => /\.(spec|test)\.[cm]?[jt]s$/.test(f) && !f.includes("/node_modules/")),
    packages: installed.length,
  };
}

/**
 * Runs an image beside a daprd (its own Redis on a free port, not the shared one) until its
 * first saved order: the seconds from `docker run` to that order. An image that ends first is an
 * error carrying the container's own last lines; the container is removed either way.
 * @param {string} tag
 * @param {{ timeoutMs?: number }} [o]
 * @returns {Promise<{ seconds: number, firstOrder: number }>}
 */
export async function startUpToFirstOrder(tag, { timeoutMs = 60_000 } = {}) {
  const name = `dapr-resiliency-startup-${process.pid}-${Date.now()}`;
  const redis = await startRedis();
  try {
    const app = await startApp({ redis, command: dockerRunCommand(tag, name) });
    try {
      const { recorder, sidecar } = app;
      const first = await Promise.race([
        recorder.waitFor((e) => e.order?.kind === "saving", { timeoutMs }),
        sidecar.appExited.then(() => undefined),
      ]);
      if (!first?.order) {
        const lines = recorder.events.filter((e) => e.source === "app").map((e) => e.line);
        const exit = await Promise.race([sidecar.appExited, Promise.resolve(undefined)]);
        throw new ToolError(
          `${tag} did not save an order within ${timeoutMs / 1000} s${exit ? ` (the container ended: exit code ${exit.code})` : ""}. Its last lines:\n${lines.slice(-10).join("\n") || "(none)"}`,
          `Run it by hand: ${dockerRunCommand(tag, "try").join(" ")}`,
        );
      }
      return { seconds: (recorder.t0 + first.at * 1000 - sidecar.appStartedAt) / 1000, firstOrder: first.order.id };
    } finally {
      await app.stop();
    }
  } finally {
    await $`docker rm -f ${name}`.nothrow().quiet();
    await redis.stop();
    fs.rmSync(redis.dir, { recursive: true, force: true });
  }
}
