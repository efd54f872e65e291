// @ts-check
// Which existing dapr_redis container can be the state store's Redis: the
// check runs on `docker inspect` output (here: the fields it reads, written out).
import { describe, expect, it } from "vitest";
import { unfitReason } from "./redis-container.mjs";

/** What `docker inspect dapr_redis` says of the container `dapr init` makes. */
const daprInit = {
  State: { Running: true },
  Config: { Image: "redis:6", Cmd: ["redis-server"], Entrypoint: ["docker-entrypoint.sh"] },
  HostConfig: { NetworkMode: "bridge", PortBindings: { "6379/tcp": [{ HostIp: "", HostPort: "6379" }] } },
};

describe("unfitReason: a dapr_redis the tools may stop and start", () => {
  it("accepts dapr init's container and this project's", () => {
    expect(unfitReason(daprInit, 6379)).toBeUndefined();
    const ours = {
      ...daprInit,
      Config: { Image: "localhost/dapr-resiliency/redis:e4587fc0e4ff", Cmd: ["redis-server", "--appendonly", "yes"] },
      HostConfig: { PortBindings: { "6379/tcp": [{ HostIp: "127.0.0.1", HostPort: "6379" }] } },
    };
    expect(unfitReason(ours, 6379)).toBeUndefined();
  });
  it("refuses one that is not Redis, naming its image and command", () => {
    const nginx = { ...daprInit, Config: { Image: "nginx:1", Cmd: ["nginx", "-g", "daemon off;"] } };
    expect(unfitReason(nginx, 6379)).toBe("it does not run Redis (image nginx:1, command nginx -g daemon off;)");
  });
  it("refuses one published on another host port, or none", () => {
    const other = { ...daprInit, HostConfig: { PortBindings: { "6379/tcp": [{ HostIp: "", HostPort: "6380" }] } } };
    expect(unfitReason(other, 6379)).toBe("it publishes 0.0.0.0:6380 → 6379/tcp, not host port 6379");
    expect(unfitReason({ ...daprInit, HostConfig: { PortBindings: {} } }, 6379)).toBe(
      "it publishes no port, not host port 6379",
    );
  });
  it("on the host network, goes by the command's --port", () => {
    const host = (/** @type {string[]} */ cmd) => ({
      ...daprInit,
      Config: { Image: "redis:7", Cmd: cmd },
      HostConfig: { NetworkMode: "host" },
    });
    expect(unfitReason(host(["redis-server"]), 6379)).toBeUndefined();
    expect(unfitReason(host(["redis-server", "--port", "7000"]), 6379)).toBe(
      "it runs on the host network with --port 7000, not 6379",
    );
  });
});
