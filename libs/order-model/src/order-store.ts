import type { Order } from "./order.js";

/**
 * What the order loop needs from a client. Each app implements it with its own
 * client style; `signal` aborts when the loop gives up on a call (timeout or stop).
 * Failures must throw: an implementation never reports an error by returning it.
 */
export interface OrderStore {
  /** Saves the order under its id as the key. */
  save(order: Order, signal: AbortSignal): Promise<void>;
  /** Reads the order back; undefined when the key holds nothing. */
  get(orderId: string, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** Where the apps find daprd, from the variables `dapr run` sets. */
export interface DaprEndpoint {
  host: string;
  httpPort: number;
  grpcPort: number;
  apiToken: string | undefined;
  storeName: string;
  /**
   * The consistency each save asks the store for (STATE_CONSISTENCY); undefined sends none, which is
   * Dapr's default (eventual). Redis's store answers a strong save only after `WAIT` for its replicas.
   */
  consistency?: Consistency;
}

export const CONSISTENCIES = ["strong", "eventual"] as const;
export type Consistency = (typeof CONSISTENCIES)[number];
