/**
 * @crondeck/worker — the worker side of Crondeck: runs attempts it is sent as plain data (the
 * protocol in protocol.ts) and reports their process group, live output and result. LocalWorker
 * is the control plane's handle on a worker child process over IPC.
 */
export { LocalWorker } from "./local-worker.ts";
export * from "./protocol.ts";
export { Worker, type WorkerChannel } from "./worker.ts";
