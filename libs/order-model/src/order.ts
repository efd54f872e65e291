import { format } from "node:util";

/** The order the quickstart saves: upstream's JavaScript app uses `{ orderId: "1" }`. */
export interface Order {
  orderId: string;
}

export function makeOrder(id: number): Order {
  return { orderId: String(id) };
}

export function isSameOrder(a: unknown, b: Order): boolean {
  return (
    typeof a === "object" &&
    a !== null &&
    Object.keys(a).length === 1 &&
    (a as Order).orderId === b.orderId
  );
}

// util.format is what console.log uses, so these equal the seed's
// `console.log("Saving Order: ", order)` output byte for byte.
export const savingLine = (order: Order): string => format("Saving Order: ", order);
export const gettingLine = (order: Order): string => format("Getting Order: ", order);

/** Parses a line the apps print back into its kind and order id (for tools and tests). */
export function parseOrderLine(line: string): { kind: "saving" | "getting"; id: number } | undefined {
  const m = /(Saving|Getting) Order:\s+\{ orderId: '(\d+)' \}/.exec(line);
  if (!m) return undefined;
  return { kind: m[1] === "Saving" ? "saving" : "getting", id: Number(m[2]) };
}
