import { FINAL_RUN_STATUSES } from "@crondeck/core";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ApiError, notFound, validationError } from "../../../lib/errors.ts";
import { errors, IdParams, ref } from "../../../lib/schemas.ts";
import { SSE_BACKLOG_BYTES, SseWriter } from "../../../lib/sse.ts";
import { type Run, RunCleanupBody, RunCleanupResult, RunDetail, RunListQuery, RunPage } from "./schema.ts";

const tags = ["runs"];
const POLL_MS = 1000;
const KEEPALIVE_MS = 15_000;

const runsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runs, engine } = app;

  app.get(
    "/",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "listRuns",
        summary: "List runs (every attempt), newest first",
        querystring: RunListQuery,
        response: { 200: ref(RunPage), ...errors(400) },
      },
    },
    async (req) => {
      const { from, to } = req.query;
      if (from && to && Date.parse(to) <= Date.parse(from))
        throw validationError([
          { field: "to", message: "must be after from", code: "AFTER", params: { field: "from" } },
        ]);
      return runs.list(req.query);
    },
  );

  app.post(
    "/cleanup",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "cleanupRuns",
        summary: "Delete ended runs that finished before a date, of one task or all",
        description:
          "Deletes runs in a final status that finished before `before` (with their notifications), of `taskId` only when given. Runs scheduled in the last 24 hours are always kept: a restart may still fire a RUN_LATEST task's missed slot that late, and its stored run is what keeps it from running twice. `dryRun: true` counts and deletes nothing. Audited as `runs.cleanup`.",
        body: RunCleanupBody,
        response: { 200: RunCleanupResult, ...errors(400) },
      },
    },
    async (req) => {
      const { before, taskId, dryRun } = req.body;
      if (
        taskId !== undefined &&
        !(await app.database.db.task.findUnique({ where: { id: taskId }, select: { id: true } }))
      )
        throw validationError([
          {
            field: "taskId",
            message: `task ${taskId} does not exist`,
            code: "UNKNOWN_TASK",
            params: { value: taskId },
          },
        ]);
      const result = await runs.cleanup({ before: new Date(before), taskId, dryRun });
      if (!result.dryRun)
        await app.audit.record(req, {
          action: "runs.cleanup",
          targetType: "run",
          taskId: taskId ?? null,
          after: { before, taskId: taskId ?? null, deleted: result.runs, keptSince: result.keptSince },
        });
      return result;
    },
  );

  app.get(
    "/:id",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "getRun",
        summary: "One run with its output and the notifications sent for it",
        params: IdParams,
        response: { 200: ref(RunDetail), ...errors(400, 404) },
      },
    },
    async (req) => {
      const run = await runs.get(req.params.id);
      // A run executing here has fresher output in memory than its last heartbeat stored.
      const live = engine.live.snapshot(run.id);
      return live ? { ...executing(run), ...live } : run;
    },
  );

  app.get(
    "/:id/output",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "downloadRunOutput",
        summary: "Download a run's output as a text file",
        description:
          "The run's whole output as a `text/plain` attachment when it is kept (compressed in the database up to RUN_OUTPUT_MAX_BYTES a run, within RUN_OUTPUT_BUDGET_BYTES for all runs: see `fullOutput` on the run), else the head and tail stored on the run (RUN_OUTPUT_LIMIT_BYTES, joined by a line naming the bytes left out). `X-Output-Partial: true` says bytes are missing from the file (only the head and tail, or an output over RUN_OUTPUT_MAX_BYTES whose middle was dropped); `X-Output-Full` whether it is the kept full output; `X-Output-Truncated` whether the run's stored output was capped; `X-Output-Bytes` how many bytes the run produced in all.",
        params: IdParams,
        response: {
          200: { description: "the output", content: { "text/plain": { schema: Type.String() } } },
          ...errors(400, 404),
        },
      },
    },
    async (req, reply) => {
      const run = await runs.output(req.params.id);
      // Still executing here: what it printed so far, from memory.
      const live = engine.live.snapshot(run.id);
      const full = live ? null : run.full;
      if (live) run.full?.stream.destroy();
      const truncated = live?.truncated ?? run.truncated;
      reply
        .type("text/plain; charset=utf-8")
        .header("content-disposition", `attachment; filename="${outputFileName(run.id, run.taskName)}"`)
        .header("x-output-truncated", String(truncated))
        .header("x-output-bytes", String(live?.outputBytes ?? run.outputBytes))
        .header("x-output-full", String(full !== null || !truncated))
        .header("x-output-partial", String(full ? full.capped : truncated))
        .header("cache-control", "no-store");
      // A stream is a valid body for the text response; the typed reply only knows the schema's string.
      if (full) return reply.header("content-length", String(full.bytes)).send(full.stream as unknown as string);
      return reply.send(live?.output ?? run.output);
    },
  );

  app.post(
    "/:id/cancel",
    {
      config: { access: "operator" },
      schema: {
        tags,
        operationId: "cancelRun",
        summary: "Stop a running run (SHELL: its whole process group; HTTP: the request)",
        params: IdParams,
        response: { 202: Type.Object({ canceled: Type.Boolean() }), ...errors(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const run = await runs.get(req.params.id);
      if (FINAL_RUN_STATUSES.includes(run.status)) {
        throw new ApiError(409, "RUN_FINISHED", `run ${run.id} already ended as ${run.status}`);
      }
      const row = await app.database.db.run.findUnique({ where: { id: run.id } });
      if (!row || !(await engine.cancel(row))) {
        throw new ApiError(
          409,
          "RUN_ELSEWHERE",
          `run ${run.id} could not be canceled: no live process runs it (${run.executor})`,
        );
      }
      await app.audit.record(req, { action: "run.cancel", targetType: "run", targetId: run.id, taskId: run.taskId });
      return reply.code(202).send({ canceled: true });
    },
  );

  app.get(
    "/:id/stream",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "streamRun",
        summary: "Follow a run live (Server-Sent Events)",
        description: `Events: \`status\` (the run without output, JSON), \`output\` ({text, reset?}: new output; reset=true replaces what was shown), \`gap\` ({skippedBytes}: output this follower read too slowly to get, dropped here; at most ${SSE_BACKLOG_BYTES / 1024} KiB wait per follower), \`end\` (no data) when the run is final. Status events are never dropped. A finished run sends its status, its whole output and \`end\` at once.`,
        params: IdParams,
        response: { 200: Type.String({ description: "text/event-stream" }), ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      const stored = await runs.poll(req.params.id);
      if (!stored) throw notFound("run", req.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      // Writes wait for a slow follower in bounded memory (dropping old output), never in the socket.
      const sse = new SseWriter(res);
      let open = true;
      const send = (event: string, data?: unknown) => {
        if (open) sse.event(event, data);
      };
      const sendOutput = (text: string, reset = false) => {
        if (open) sse.output(text, reset);
      };
      const withoutOutput = ({ output: _output, ...run }: Run) => run;
      const cleanups: Array<() => void> = [];
      const stop = () => {
        if (!open) return false;
        open = false;
        for (const cleanup of cleanups) cleanup();
        if (sse.skippedBytes > 0)
          req.log.info({ runId: stored.id, skippedBytes: sse.skippedBytes }, "slow run follower");
        return true;
      };
      const close = () => {
        if (stop()) sse.end();
      };
      req.raw.on("close", () => {
        if (stop()) sse.close();
      });
      const keepalive = setInterval(() => open && sse.comment("keepalive"), KEEPALIVE_MS);
      cleanups.push(() => clearInterval(keepalive));

      const finish = (run: Run) => {
        send("status", withoutOutput(run));
        send("end");
        close();
      };

      const followed = engine.live.follow(stored.id, (event) => {
        if (event.type === "output") sendOutput(event.text);
        else if (event.type === "gap") sse.gap(event.skippedBytes);
        else if (FINAL_RUN_STATUSES.includes(event.run.status)) finish(event.run);
        else send("status", withoutOutput(event.run));
      });
      if (followed) {
        cleanups.push(followed.unsubscribe);
        send("status", withoutOutput(executing(stored)));
        if (followed.output) sendOutput(followed.output);
        return;
      }
      if (FINAL_RUN_STATUSES.includes(stored.status)) {
        send("status", withoutOutput(stored));
        if (stored.output) sendOutput(stored.output);
        send("end");
        close();
        return;
      }
      // Executing in another process: follow what it stores with its heartbeats, or (an executor
      // over NATS) its live output; the status from the database either way.
      send("status", withoutOutput(stored));
      let shown = stored.output;
      if (shown) sendOutput(shown);
      let streamed = false;
      const unfollow = engine.dispatcher.followOutput?.(stored.id, (event) => {
        if (event.type === "gap") return sse.gap(event.skippedBytes);
        streamed = true;
        sendOutput(event.text);
      });
      if (unfollow) cleanups.push(unfollow);
      const poll = setInterval(async () => {
        try {
          const run = await runs.poll(stored.id);
          if (!run) return close();
          const final = FINAL_RUN_STATUSES.includes(run.status);
          if (run.output !== shown && (!streamed || final)) {
            // At the end, the stored output (head and tail kept) replaces what was streamed live.
            if (!streamed && run.output.startsWith(shown)) sendOutput(run.output.slice(shown.length));
            else sendOutput(run.output, true);
            shown = run.output;
          }
          if (FINAL_RUN_STATUSES.includes(run.status)) finish(run);
        } catch (err) {
          req.log.warn({ err }, "run stream poll failed");
        }
      }, POLL_MS);
      cleanups.push(() => clearInterval(poll));
    },
  );
};

export default runsRoutes;

/**
 * A run executing in this process. A slot claimed ahead is stored QUEUED until it has run for a
 * moment (or ended), so the stored status may lag behind.
 */
function executing<T extends Run>(run: T): T {
  return run.status === "QUEUED" ? { ...run, status: "RUNNING" } : run;
}

/** `run-12-nightly-backup.log`: the task's name reduced to characters safe in any header and file system. */
export function outputFileName(runId: number, taskName: string): string {
  const slug = taskName
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 60);
  return slug ? `run-${runId}-${slug}.log` : `run-${runId}.log`;
}
