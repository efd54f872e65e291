// @ts-check
// The client styles the benchmarks run: the three apps, plus sdk-app over gRPC.

/** @typedef {"sdk" | "http" | "grpc"} AppVariant */
/** @typedef {{ app: AppVariant, label: string, env: Record<string, string> }} Style */

/** @type {Record<string, Style>} */
export const STYLES = {
  sdk: { app: "sdk", label: "sdk-app (DaprClient over HTTP)", env: {} },
  "sdk-grpc": {
    app: "sdk",
    label: "sdk-app (DaprClient over gRPC, DAPR_PROTOCOL=grpc)",
    env: { DAPR_PROTOCOL: "grpc" },
  },
  http: { app: "http", label: "http-app (plain HTTP)", env: {} },
  grpc: { app: "grpc", label: "grpc-app (plain gRPC, @grpc/grpc-js)", env: {} },
};

/**
 * What startApp (lib/isolated-stack.mjs, not typed yet) returns, as far as the benchmarks use it.
 * @typedef {object} StartedApp
 * @property {import("../../stack/recorder.mjs").Recorder} recorder
 * @property {() => Promise<void>} stop the app, daprd, and the resources folder
 * @property {{ stop(): Promise<void>, appExited: Promise<{ code: number | null, signal?: string | null }> }} sidecar
 */

/** @param {number} s seconds from the fault's start, signed, right-aligned */
export const rel = (s) => `${s < 0 ? "-" : "+"}${Math.abs(s).toFixed(1)}`.padStart(7);
