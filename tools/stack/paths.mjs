// @ts-check
// Where things live. Everything the tools write outside the repo goes under
// STATE_DIR (Redis data, service logs, build output) or DAPR_HOME (~/.dapr).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const RESOURCES = path.join(ROOT, "resources");
export const DAPR_CONFIG = path.join(RESOURCES, "config.yaml");
export const STATE_DIR = process.env.DAPR_RESILIENCY_HOME || path.join(os.homedir(), ".dapr-resiliency");
export const DAPR_HOME = path.join(os.homedir(), ".dapr");
export const DAPR_BIN = path.join(DAPR_HOME, "bin");
export const VERSIONS = JSON.parse(fs.readFileSync(path.join(ROOT, "tools/versions.json"), "utf8"));

/** @typedef {"sdk" | "http" | "grpc"} VariantName */
/** @typedef {{ project: string, main: string, client: string }} Variant an app project, its built entry point and how it talks to daprd */

/**
 * The three client styles and the built entry point of each.
 * @type {Readonly<Record<VariantName, Variant>>}
 */
export const VARIANTS = {
  sdk: {
    project: "sdk-app",
    main: path.join(ROOT, "apps/sdk-app/dist/main.js"),
    client: "the @dapr/dapr SDK's DaprClient (HTTP; gRPC with DAPR_PROTOCOL=grpc)",
  },
  http: {
    project: "http-app",
    main: path.join(ROOT, "apps/http-app/dist/main.js"),
    client: "plain HTTP with node:http (keep-alive)",
  },
  grpc: {
    project: "grpc-app",
    main: path.join(ROOT, "apps/grpc-app/dist/main.js"),
    client: "plain gRPC with @grpc/grpc-js",
  },
};

/**
 * @param {string | undefined} name
 * @returns {name is VariantName}
 */
export const isVariant = (name) => name !== undefined && Object.hasOwn(VARIANTS, name);

/** The variants' names, typed: sdk, http, grpc. */
export const VARIANT_NAMES = /** @type {VariantName[]} */ (Object.keys(VARIANTS));
