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

// An order as each language spells it: `{ orderId: '1' }` (JavaScript's console.log),
// `{'orderId': '1'}` (Python's str), `{"orderId":1}` (JSON: Go, Java, the SDKs),
// `Order { orderId = 1 }` (a C# record's ToString). The key, an optional quote, `:` or `=`, the
// id, with an optional quote around it; a longer word (`orderIdx`) or number (`1abc`) is not one.
const SPELLED = /\borderId['"]?\s*[:=]\s*['"]?(\d+)\b/i;

/**
 * The id in an order as any of the quickstarts spells it, in a line or a stored value
 * (`b"{'orderId': '1'}"`, Python's bytes, included); undefined when it names no order id.
 */
export function orderIdIn(text: string): number | undefined {
  const m = SPELLED.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Parses an order line back into its kind and id (for tools and tests), in any
 * of the quickstarts' spellings: the phrase, a colon, then the order as the
 * language prints it (see orderIdIn) or the bare id (Java). An `== APP ==`
 * prefix (dapr run) is allowed.
 */
export function parseOrderLine(line: string): OrderLine | undefined {
  const m = PHRASE.exec(line);
  if (!m) return undefined;
  const kind = PHRASES[m[1]!.toLowerCase()]!;
  const rest = m[2]!;
  const id = orderIdIn(rest) ?? Number(/^\s*(\d+)\s*$/.exec(rest)?.[1] ?? NaN);
  return Number.isInteger(id) ? { kind, id } : undefined;
}

/**
 * The order id a stored value holds (the state store's `data`), as each quickstart saves it:
 * the JSON of an order object (`{"orderId":"1"}`, `{"orderId":1}`), a JSON string holding a
 * spelling of it (the C# SDK serialises the string it is given: `"Order { orderId = 1 }"`, or
 * `"{\"orderId\":1}"`), or the raw bytes of one (the Python SDK saves `str(order)` over gRPC:
 * `{'orderId': '1'}`). A bare number is not an order.
 */
export function storedOrderId(data: string): number | undefined {
  let text = data;
  try {
    const v: unknown = JSON.parse(data);
    if (typeof v === "string") text = v;
    else if (typeof v !== "object" || v === null) return undefined;
  } catch {
    /* not JSON: the raw bytes an SDK was given */
  }
  return orderIdIn(text);
}
