import { format } from "node:util";

/** The order the quickstart saves: upstream's JavaScript app uses `{ orderId: "1" }`. */
export interface Order {
  orderId: string;
}

export function makeOrder(id: number): Order {
  return { orderId: String(id) };
}

export function isSameOrder(a: unknown, b: Order): boolean {
  return typeof a === "object" && a !== null && Object.keys(a).length === 1 && (a as Order).orderId === b.orderId;
}

// util.format is what console.log uses, so these equal the seed's
// `console.log("Saving Order: ", order)` output byte for byte.
export const savingLine = (order: Order): string => format("Saving Order: ", order);
export const gettingLine = (order: Order): string => format("Getting Order: ", order);

export type OrderLineKind = "saving" | "getting" | "deleting";

/** What an order line says: the app saved, read back or deleted order `id`. */
export interface OrderLine {
  kind: OrderLineKind;
  id: number;
}

// How the Dapr state-management quickstarts (dapr/quickstarts, state_management/<lang>/sdk/order-processor)
// announce each step, by language:
//   C#, Java, JavaScript: "Saving Order: ", "Getting Order: ", "Deleting Order: "
//   Go:                   "Saved Order:", "Retrieved Order:", "Deleted Order:"
//   Python:               "Saving Order: ", "Result after get: ", "Deleting Order: "
const PHRASES: Record<string, OrderLineKind> = {
  "saving order": "saving",
  "saved order": "saving",
  "getting order": "getting",
  "retrieved order": "getting",
  "result after get": "getting",
  "deleting order": "deleting",
  "deleted order": "deleting",
};
const PHRASE = new RegExp(`\\b(${Object.keys(PHRASES).join("|")})\\s*:(.*)$`, "i");

/**
 * Parses an order line back into its kind and id (for tools and tests), in any
 * of the quickstarts' spellings: the phrase, a colon, then the order as the
 * language prints it (`{ orderId: '1' }`, `{'orderId': '1'}`, `{"orderId":1}`,
 * `Order { orderId = 1 }`, `b"{'orderId': '1'}"`) or the bare id (Java). An
 * `== APP ==` prefix (dapr run) is allowed.
 */
export function parseOrderLine(line: string): OrderLine | undefined {
  const m = PHRASE.exec(line);
  if (!m) return undefined;
  const kind = PHRASES[m[1]!.toLowerCase()]!;
  const rest = m[2]!;
  const id = /orderId\W*(\d+)/i.exec(rest) ?? /^\s*(\d+)\s*$/.exec(rest);
  return id ? { kind, id: Number(id[1]) } : undefined;
}
