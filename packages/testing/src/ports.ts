import { type AddressInfo, createServer } from "node:net";

/** A port free on 127.0.0.1 right now (bound by the OS, then released for the caller to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A port nothing listens on, for tests of a service that is down. */
export const closedPort = freePort;
