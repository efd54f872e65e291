// @ts-check
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A port the OS says is free on 127.0.0.1 right now.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {number} port
 * @returns {Promise<boolean>} true when something accepts a TCP connection there
 */
export function isPortOpen(port, host = "127.0.0.1", timeoutMs = 500) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    /** @param {boolean} open */
    const done = (open) => {
      sock.destroy();
      resolve(open);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/**
 * Waits until `port` accepts (or, with open=false, refuses) connections.
 * @param {number} port
 * @param {{ open?: boolean, timeoutMs?: number, host?: string, abort?: () => boolean }} [options] abort: stop waiting (e.g. the process exited)
 * @returns {Promise<boolean>} false on timeout or abort
 */
export async function waitForPort(port, { open = true, timeoutMs = 15_000, host = "127.0.0.1", abort } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await isPortOpen(port, host)) === open) return true;
    if (abort?.()) return false;
    await sleep(100);
  }
  return false;
}
