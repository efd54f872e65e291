import { ConfigError, parseConfig } from "./config.js";
import { runOrderLoop } from "./order-loop.js";
import type { DaprEndpoint, OrderStore } from "./order-store.js";

type Env = Record<string, string | undefined>;

export interface AppDefinition {
  /** e.g. "sdk-app" */
  name: string;
  /** Builds the app's client; throw ConfigError for a bad app-specific setting. */
  createStore(endpoint: DaprEndpoint, env: Env): OrderStore | Promise<OrderStore>;
  /** One line naming the client style, printed at start. */
  describe(endpoint: DaprEndpoint, env: Env): string;
}

/** The whole life of an order-processor: config, signals, the loop, the summary, the exit code. */
export async function runApp(app: AppDefinition, argv = process.argv.slice(2), env: Env = process.env): Promise<never> {
  const fail = (message: string, code: number): never => {
    process.stderr.write(`${app.name}: ${message}\n`);
    process.exit(code);
  };
  let store: OrderStore | undefined;
  try {
    const config = parseConfig(argv, env);
    store = await app.createStore(config.endpoint, env);
    const stop = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) fail(`second ${sig}, exiting without waiting`, 130);
      process.stderr.write(`${app.name}: ${sig} received, finishing the call in flight\n`);
      stop.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    process.stderr.write(`${app.name}: ${app.describe(config.endpoint, env)}\n`);
    const summary = await runOrderLoop(store, config, {
      out: (line) => process.stdout.write(`${line}\n`),
      note: (line) => process.stderr.write(`${app.name}: ${line}\n`),
      stop: stop.signal,
    });
    process.stderr.write(
      `${app.name}: ${summary.stopped ? "stopped" : "done"}; last order saved: ${summary.lastSaved ?? "none"} ` +
        `(${summary.saved} saved, ${summary.retries} retried calls)\n`,
    );
    await store.close().catch(() => undefined);
    process.exit(0);
  } catch (err) {
    await store?.close().catch(() => undefined);
    if (err instanceof ConfigError) return fail(err.message, 2);
    return fail(`unexpected error: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
}
