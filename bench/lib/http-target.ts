// A local keep-alive HTTP endpoint for HTTP tasks, run as its own process (forked by the bench) so
// its CPU is not charged to the app under test, as a real remote endpoint's would not be.
// Answers every request 200 "ok" at once; reports its port over IPC; exits when the bench goes.
import { createServer } from "node:http";

let requests = 0;
const server = createServer((_req, res) => {
  requests++;
  res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
  res.end("ok");
});
// Longer than the 1 s between fires, so each connection is reused instead of re-opened.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  process.send?.({ port: address.port });
});
process.on("message", (msg) => {
  if (msg === "stats") process.send?.({ requests });
});
process.on("disconnect", () => process.exit(0));
