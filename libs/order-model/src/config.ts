import { parseArgs } from "node:util";
import { CONSISTENCIES, type Consistency, type DaprEndpoint } from "./order-store.js";

/** A mistake in flags or environment: the message says what is wrong and how to fix it. */
export class ConfigError extends Error {}

export interface LoopConfig {
  /** How many orders to process; Infinity runs until stopped. */
  count: number;
  startId: number;
  intervalMs: number;
  /** Longest the app waits for one state call before it retries the same order. */
  callTimeoutMs: number;
  retryPauseMs: number;
}

export interface AppConfig extends LoopConfig {
  endpoint: DaprEndpoint;
}

type Env = Record<string, string | undefined>;

// flag name -> [env variable, default, smallest allowed]
const NUMBERS = {
  count: ["ORDER_COUNT", Infinity, 1],
  "start-id": ["ORDER_START_ID", 1, 1],
  "interval-ms": ["ORDER_INTERVAL_MS", 500, 0],
  "call-timeout-ms": ["ORDER_CALL_TIMEOUT_MS", 60_000, 1],
  "retry-pause-ms": ["ORDER_RETRY_PAUSE_MS", 1_000, 0],
} as const;

export const USAGE = `Usage: order-processor [--count N] [--start-id N] [--interval-ms MS] [--call-timeout-ms MS] [--retry-pause-ms MS] [--consistency ${CONSISTENCIES.join("|")}]
Each flag can also come from its variable: ${Object.entries(NUMBERS)
  .map(([flag, [env]]) => `--${flag}=${env}`)
  .join(", ")}, --consistency=STATE_CONSISTENCY (default: none sent, Dapr's default).
daprd is found through DAPR_HOST (127.0.0.1), DAPR_HTTP_PORT (3500), DAPR_GRPC_PORT (50001) and DAPR_API_TOKEN, which \`dapr run\` sets.`;

function integer(raw: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw new ConfigError(`${what} must be from ${min} to ${max}, got ${raw}`);
  }
  return value;
}

/** A save's consistency: the flag, else STATE_CONSISTENCY, else none (daprd's default, eventual). */
function consistency(fromFlag: unknown, env: Env): Consistency | undefined {
  const [raw, what] =
    typeof fromFlag === "string" ? [fromFlag, "--consistency"] : [env.STATE_CONSISTENCY, "STATE_CONSISTENCY"];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = raw.trim().toLowerCase();
  if (!(CONSISTENCIES as readonly string[]).includes(value)) {
    throw new ConfigError(`${what} must be ${CONSISTENCIES.map((c) => `"${c}"`).join(" or ")}, got "${raw}"`);
  }
  return value as Consistency;
}

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  return integer(raw, name, 1, 65535);
}

export function parseConfig(argv: string[], env: Env): AppConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        [...Object.keys(NUMBERS), "consistency"].map((k) => [k, { type: "string" as const }]),
      ),
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  /** One number: the flag, else its variable, else the default; each checked against its minimum. */
  const num = (flag: keyof typeof NUMBERS): number => {
    const [envName, fallback, min] = NUMBERS[flag];
    const fromFlag = values[flag];
    const fromEnv = env[envName];
    if (typeof fromFlag === "string") return integer(fromFlag, `--${flag}`, min);
    if (fromEnv !== undefined && fromEnv !== "") return integer(fromEnv, envName, min);
    return fallback;
  };
  const host = env.DAPR_HOST?.trim() || "127.0.0.1";
  return {
    count: num("count"),
    startId: num("start-id"),
    intervalMs: num("interval-ms"),
    callTimeoutMs: num("call-timeout-ms"),
    retryPauseMs: num("retry-pause-ms"),
    endpoint: {
      host,
      httpPort: port(env, "DAPR_HTTP_PORT", 3500),
      grpcPort: port(env, "DAPR_GRPC_PORT", 50001),
      apiToken: env.DAPR_API_TOKEN || undefined,
      storeName: env.STATE_STORE_NAME?.trim() || "statestore",
      consistency: consistency(values.consistency, env),
    },
  };
}
