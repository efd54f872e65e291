import { runApp } from "@dapr-resiliency/order-model";
import { createHttpOrderStore } from "./order-store.js";

await runApp({
  name: "http-app",
  describe: (dapr) => `plain HTTP (node:http keep-alive) to daprd at http://${dapr.host}:${dapr.httpPort}`,
  createStore: (dapr) => createHttpOrderStore(dapr),
});
