import { describe, expect, it } from "vitest";
import { gettingLine, makeOrder, orderIdIn, parseOrderLine, savingLine, storedOrderId } from "./order.js";

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

// What each quickstart's order-processor leaves in Redis as the hash's `data` field for order 1,
// next to the line it prints for it: the walkthrough reads both with one understanding of an
// order's spelling (orderIdIn), so an order stored exactly as the app printed it is never "wrong".
describe("storedOrderId: the quickstarts' stored values, one language at a time", () => {
  it.each([
    // C#: SaveStateAsync(store, id, JsonSerializer.Serialize(order)): the SDK serialises that string
    // again, so Redis holds a JSON string of JSON; older releases saved order.ToString().
    ["csharp", JSON.stringify(JSON.stringify({ orderId: 1 })), "Saving Order: Order { OrderId = 1 }"],
    ["csharp (older)", JSON.stringify("Order { orderId = 1 }"), "Saving Order: Order { orderId = 1 }"],
    // Go: SaveState(ctx, store, id, []byte(`{"orderId":1}`), nil) over gRPC: the bytes as given
    ["go", '{"orderId":1}', '2026/12/01 09:00:00 Saving Order: {"orderId":1}'],
    // Java: saveState(store, id, order): the SDK's Jackson serializer, {"orderId":1}
    ["java", '{"orderId":1}', "INFO com.service.OrderProcessingServiceApplication - Saving Order: 1"],
    // JavaScript: client.state.save(store, [{ key, value: { orderId: "1" } }]): JSON
    ["javascript", '{"orderId":"1"}', "Saving Order:  { orderId: '1' }"],
    // Python: client.save_state(store, id, str(order)) over gRPC: the str's bytes, not JSON
    ["python", "{'orderId': '1'}", "Saving Order: {'orderId': '1'}"],
    ["python (int ids)", "{'orderId': 1}", "Saving Order: {'orderId': 1}"],
  ])("%s: %s is order 1, as its line %j says", (_lang, data, line) => {
    expect(storedOrderId(data)).toBe(1);
    expect(parseOrderLine(line)).toEqual({ kind: "saving", id: 1 });
  });

  it.each([
    ['{"orderId":"2"}', 2],
    ["{'orderId': '12'}", 12],
    ['{"orderId":"1abc"}', undefined], // not an id
    ['{"orderIdx":"1"}', undefined], // another key
    ["1", undefined], // a bare number is not an order
    ['"1"', undefined],
    ["null", undefined],
    ["not json", undefined],
    ["{", undefined],
  ])("%s: %s", (data, id) => {
    expect(storedOrderId(data)).toBe(id);
  });

  it("orderIdIn reads the spellings, not a number that merely follows the word", () => {
    expect(orderIdIn("b\"{'orderId': '7'}\"")).toBe(7);
    expect(orderIdIn("Order { orderId = 7 }")).toBe(7);
    expect(orderIdIn("orderId 7")).toBeUndefined();
  });
});
