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

/**
 * Parses an order line back into its kind and id (for tools and tests). Tolerant
 * of other quickstarts' spellings (`{'orderId': '1'}`, `{"orderId":1}`, an
 * `== APP ==` prefix), so the walkthrough can check apps in any language.
 */
export function parseOrderLine(line: string): { kind: "saving" | "getting"; id: number } | undefined {
  const m = /\b(Saving|Getting) Order\b.*?orderId\W*(\d+)/i.exec(line);
  if (!m) return undefined;
  return { kind: m[1]!.toLowerCase() === "saving" ? "saving" : "getting", id: Number(m[2]) };
}
