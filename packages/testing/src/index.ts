// @crondeck/testing: the real servers tests and benchmarks talk to, one copy each. Nothing here is a
// mock: an HTTP server and an SMTP server listening on 127.0.0.1, and ports chosen by the OS.

export { type HttpTarget, type ReceivedRequest, type Reply, startHttpTarget } from "./http-target.ts";
export { closedPort, freePort } from "./ports.ts";
export { type ReceivedMail, type SmtpHarness, type SmtpServerOptions, startSmtpServer } from "./smtp-server.ts";
