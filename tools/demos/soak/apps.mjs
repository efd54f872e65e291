// @ts-check
// The soak's four apps, each beside its own daprd, all on one Redis (through
// the fault proxy when there is one). Their orders are kept apart by app id:
// daprd's Redis store prefixes each key with the app id (`soak-http||42`), so
// every app counts 1, 2, 3… in keys of its own without a change to the apps,
// and the checker reads each app's keys by its id. The project's resiliency
// policy is scoped to `order-processor`, so the run's copy of resiliency.yaml
// adds the four ids to its scopes: each daprd runs the same policy.
import path from "node:path";
import readline from "node:readline";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { startApp } from "../../stack/isolated-stack.mjs";
import { endProcess } from "../../stack/sidecar.mjs";
import { parseDaprdLine } from "../../stack/daprd-log.mjs";
import { DAPR_BIN } from "../../stack/paths.mjs";
import { onCleanup } from "../../cli/cleanup.mjs";
import { scopedResiliencyYaml } from "../../stack/resources.mjs";
import { STYLES } from "../../bench/lib/styles.mjs";

/** The comparison's four client rows, in its order. */
/** @typedef {import("./args.mjs").SoakStyle} SoakStyle */
export const appIdOf = (/** @type {string} */ style) => `soak-${style}`;

/** How long a daprd started again may take to be healthy, attempts included. */
const RESTART_LIMIT_MS = 120_000;

/**
 * One app of the soak while it runs.
 * @typedef {object} SoakApp
 * @property {SoakStyle} style
 * @property {string} appId
 * @property {string} label
 * @property {import("../../stack/isolated-stack.mjs").StackApp} stack
 * @property {import("node:child_process").ChildProcess} daprd the daprd now running (changes on a restart)
 * @property {{ id: number, at: number }[]} saves
 * @property {{ at: number, code: number | null, signal?: string | null }} [exitedByItself]
 * @property {import("./checker.mjs").DaprdRestart[]} daprdRestarts
 * @property {() => Promise<void>} stop the app, then whichever daprd runs
 */

/**
 * Starts the apps of `styles` against the store that `metadata` names (redisHost: the proxy, Redis, or the Sentinels).
 * @param {object} o
 * @param {readonly SoakStyle[]} o.styles
 * @param {() => number} o.now seconds since the soak's start
 * @param {Record<string, string | number>} o.metadata the state store's metadata
 * @param {(app: SoakApp, e: import("../../stack/recorder.mjs").RecordedEvent) => void} [o.onEvent]
 * @param {Record<string, string>} [o.env] for every app, besides its style's own
 * @returns {Promise<SoakApp[]>}
 */
export async function startSoakApps({ styles, now, metadata, onEvent, env = {} }) {
  const appIds = styles.map(appIdOf);
  const resources = {
    metadata,
    replace: { "resiliency.yaml": scopedResiliencyYaml(appIds) },
  };
  /** @type {SoakApp[]} */
  const apps = [];
  // One after another: four daprd loading at once on two shared cores only slows each.
  for (const style of styles) {
    const s = STYLES[style];
    if (!s) throw new Error(`no client style ${style}`);
    /** @type {SoakApp} */
    const app = /** @type {any} */ ({ style, appId: appIdOf(style), label: s.label, saves: [], daprdRestarts: [] });
    let stopping = false;
    app.stack = await startApp({
      redis: { port: 0 }, // redisHost comes from metadata
      variant: s.app,
      appId: app.appId,
      env: { ...env, ...s.env },
      resources,
      onEvent: (e) => {
        if (e.order?.kind === "saving") app.saves.push({ id: e.order.id, at: now() });
        onEvent?.(app, e);
      },
    });
    app.daprd = app.stack.sidecar.daprd;
    void app.stack.sidecar.appExited.then(({ code, signal }) => {
      if (!stopping) app.exitedByItself = { at: now(), code, signal };
    });
    app.stop = async () => {
      stopping = true;
      await app.stack.stop(); // the app first (SIGTERM, as `dapr stop`), then its first daprd
      await endProcess(app.daprd);
    };
    apps.push(app);
  }
  return apps;
}

/**
 * Starts `app`'s daprd again on the same ports and flags after it was killed, as a supervisor
 * would: a daprd that exits at start (its store unreachable while another fault lasts) is started
 * again every 2 s until one is healthy.
 * @param {SoakApp} app
 * @param {() => number} now
 * @returns {Promise<import("./checker.mjs").DaprdRestart>}
 */
export async function restartDaprd(app, now) {
  /** @type {import("./checker.mjs").DaprdRestart} */
  const restart = { at: now(), attempts: 0 };
  app.daprdRestarts.push(restart);
  const deadline = Date.now() + RESTART_LIMIT_MS;
  const { recorder, sidecar } = app.stack;
  while (Date.now() < deadline) {
    restart.attempts = (restart.attempts ?? 0) + 1;
    const child = spawn(path.join(DAPR_BIN, "daprd"), sidecar.daprdArgs, {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    app.daprd = child;
    const removeCleanup = onCleanup(() => endProcess(child));
    child.once("exit", () => removeCleanup());
    for (const s of [child.stdout, child.stderr]) {
      readline
        .createInterface({ input: s, crlfDelay: Infinity })
        .on("line", (line) => recorder.push({ source: "daprd", line, ...parseDaprdLine(line) }));
    }
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      if (await healthy(sidecar.ports.http)) {
        restart.readyAt = now();
        return restart;
      }
      await sleep(200);
    }
    await endProcess(child);
    await sleep(2_000);
  }
  restart.error = `no healthy daprd within ${RESTART_LIMIT_MS / 1000} s (${restart.attempts} starts)`;
  return restart;
}

/** daprd's outbound health: 204 once its components (the state store) are ready. @param {number} port */
async function healthy(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1.0/healthz/outbound`, { signal: AbortSignal.timeout(1_000) });
    return res.status === 204;
  } catch {
    return false;
  }
}
