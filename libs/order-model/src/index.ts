export * from "./order.js";
export * from "./order-store.js";
export * from "./config.js";
export * from "./order-loop.js";
export * from "./run-app.js";
