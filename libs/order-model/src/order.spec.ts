import { describe, expect, it } from "vitest";
import { gettingLine, makeOrder, parseOrderLine, savingLine } from "./order.js";

// The lines below are what each upstream quickstart prints for order 1
// (dapr/quickstarts, state_management/<lang>/sdk/order-processor), written out
// from the print statements of its source.
describe("parseOrderLine: the quickstart order-processors, one language at a time", () => {
  it.each([
    // C#: Console.WriteLine("Saving Order: " + order) where order is `record Order(int orderId)`;
    // the read-back is the string it saved.
    ["csharp", "Saving Order: Order { orderId = 1 }", "saving"],
    ["csharp", "Getting Order: Order { orderId = 1 }", "getting"],
    ["csharp", "Deleting Order: Order { orderId = 1 }", "deleting"],
    // Go: fmt.Println("Saved Order:", string(order)) with order = `{"orderId":1}`
    ["go", 'Saved Order: {"orderId":1}', "saving"],
    ["go", 'Retrieved Order: {"orderId":1}', "getting"],
    ["go", 'Deleted Order: {"orderId":1}', "deleting"],
    // Java: System.out.println("Saving Order: " + order.getOrderId()): the bare id
    ["java", "Saving Order: 1", "saving"],
    ["java", "Getting Order: 1", "getting"],
    ["java", "Deleting Order: 1", "deleting"],
    // JavaScript: console.log("Saving Order: ", order) with order = { orderId: "1" }
    ["javascript", "Saving Order:  { orderId: '1' }", "saving"],
    ["javascript", "Getting Order:  { orderId: '1' }", "getting"],
    ["javascript", "Deleting Order:  { orderId: '1' }", "deleting"],
    // Python: print(f'Saving Order: {order}'), print(f'Result after get: {result.data}') (bytes)
    ["python", "Saving Order: {'orderId': '1'}", "saving"],
    ["python", "Result after get: b\"{'orderId': '1'}\"", "getting"],
    ["python", "Deleting Order: {'orderId': '1'}", "deleting"],
  ])("%s: %s", (_lang, line, kind) => {
    expect(parseOrderLine(line)).toEqual({ kind, id: 1 });
  });

  it("reads larger ids and the `== APP ==` prefix of dapr run", () => {
    expect(parseOrderLine("Saving Order:  { orderId: '12' }")).toEqual({ kind: "saving", id: 12 });
    expect(parseOrderLine("== APP == Getting Order:  { orderId: '3' }")).toEqual({ kind: "getting", id: 3 });
    expect(parseOrderLine('== APP == Saved Order: {"orderId":42}')).toEqual({ kind: "saving", id: 42 });
    expect(parseOrderLine("== APP == Deleting Order: 99")).toEqual({ kind: "deleting", id: 99 });
  });

  it("reads this project's own lines", () => {
    expect(parseOrderLine(savingLine(makeOrder(5)))).toEqual({ kind: "saving", id: 5 });
    expect(parseOrderLine(gettingLine(makeOrder(6)))).toEqual({ kind: "getting", id: 6 });
  });

  it.each([
    "Saving Order 4 failed: no answer",
    "sdk-app: done; last order saved: 3",
    "Getting Order:  null",
    "Result after get: b''",
    "Saving Order: 1 2",
    "Orders saved: 3",
  ])("is not an order line: %j", (line) => {
    expect(parseOrderLine(line)).toBeUndefined();
  });
});
