import { maskSecrets } from "@crondeck/notify";
import fp from "fastify-plugin";

/** Probes hit every few seconds; at any level above trace they would drown everything else. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);
const BAD_ENDS = new Set(["FAILED", "TIMED_OUT", "CANCELED"]);

/**
 * A log for people: a run that ends badly is a warn line naming the task, the run, the status and
 * the error; one access line per request at debug (probes at trace) instead of Fastify's two at
 * info, which made up nearly the whole log. Server errors are logged by the error handler.
 */
export default fp(
  async (app) => {
    app.engine.onRunEnd((run, task) => {
      if (!BAD_ENDS.has(run.status)) return;
      app.log.warn(
        {
          taskId: task.id,
          task: task.name,
          runId: run.id,
          status: run.status,
          attempt: run.attempt,
          trigger: run.trigger,
          exitCode: run.exitCode,
          httpStatus: run.httpStatus,
          // An HTTP error may quote the task's URL, robot tokens and all.
          error: run.error === null ? null : maskSecrets(run.error),
        },
        `run ${run.id} of task "${task.name}" ended ${run.status}${run.error ? `: ${maskSecrets(run.error)}` : ""}`,
      );
    });

    app.addHook("onResponse", async (req, reply) => {
      const path = req.url.split("?")[0] ?? "";
      const level = PROBES.has(path) ? "trace" : "debug";
      req.log[level](
        {
          method: req.method,
          url: maskSecrets(req.url),
          statusCode: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        `${req.method} ${path} ${reply.statusCode}`,
      );
    });
  },
  { name: "logging", dependencies: ["engine"] },
);
