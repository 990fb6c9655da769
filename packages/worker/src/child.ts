// The local worker process: forked by the control plane (LocalWorker) when no broker is set, it
// runs the SHELL attempts so that forks copy this small process, not the API's heap. It lives as
// long as its parent: when the IPC channel closes (the parent exited or was killed) it stops its
// attempts and exits, and each run's watchdog stops whatever the attempt left behind.
import type { FromWorker, ToWorker } from "./protocol.ts";
import { Worker } from "./worker.ts";

if (!process.send) throw new Error("the local worker must be started by its control plane, over IPC");
const send = process.send.bind(process) as (
  message: FromWorker,
  handle?: undefined,
  options?: object,
  callback?: () => void,
) => boolean;

let drained: (() => void) | null = null;
// The parent may be gone before a message leaves (it was killed): nothing to tell, nothing to do
// but leave, which the 'disconnect' handler below does.
process.on("error", () => {});
const worker = new Worker({
  send(message) {
    if (!process.connected) return true;
    let ok = true;
    // A send that finds the channel backed up calls back once its message is through: the drain.
    ok = send(message, undefined, {}, () => {
      if (!ok) drained?.();
    });
    return ok;
  },
  onDrain(listener) {
    drained = listener;
  },
});

process.on("message", (message: ToWorker) => worker.handle(message));
process.on("disconnect", () => {
  worker.abortAll();
  // A moment for the process groups to get their SIGTERM; the runs' watchdogs do the rest.
  setTimeout(() => process.exit(0), 200).unref();
});
// Orphaned before it could start: the parent died while this process was loading.
if (!process.connected) process.exit(0);
send({ type: "ready", pid: process.pid });
