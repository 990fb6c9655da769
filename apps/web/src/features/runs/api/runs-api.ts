import type { RunDetail, Task } from "@crondeck/api-client";
import { FINAL_RUN_STATUSES } from "@crondeck/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api, apiEventSource } from "../../../lib/api-client.ts";
import { formatBytes } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";

export type { NotificationRecord, RunAttempt, RunDetail } from "@crondeck/api-client";
/** The whole output the download serves (GET /api/runs/:id/output), when it is kept. */
export type FullOutputInfo = RunDetail["fullOutput"];

export const runKeys = {
  detail: (id: number) => ["runs", "detail", id] as const,
};

export function isFinal(run: Pick<RunDetail, "status">): boolean {
  return FINAL_RUN_STATUSES.includes(run.status);
}

/**
 * One run with its output; polls while it is unfinished and no live stream is attached, while a
 * retry of it is due (to link the next attempt as soon as it starts), and while its notification is
 * on its way (the stream ends with the run, before the delivery is recorded).
 */
export function useRun(id: number, streaming: boolean) {
  return useQuery({
    queryKey: runKeys.detail(id),
    queryFn: ({ signal }) => api.get<RunDetail>(`/api/runs/${id}`, undefined, signal),
    refetchInterval: (query) => {
      const run = query.state.data;
      if (run?.nextAttemptAt || run?.notificationPending) return 1000;
      return run && !isFinal(run) && !streaming ? 2000 : false;
    },
  });
}

/** The run's task, for its name and zone. Same cache entry as the task pages use. */
export function useRunTask(taskId: number | undefined) {
  return useQuery({
    queryKey: ["tasks", "detail", taskId],
    queryFn: ({ signal }) => api.get<Task>(`/api/tasks/${taskId}`, undefined, signal),
    enabled: taskId !== undefined,
  });
}

export function useCancelRun(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<unknown>(`/api/runs/${id}/cancel`),
    onSettled: () => client.invalidateQueries({ queryKey: runKeys.detail(id) }),
  });
}

export interface RunStream {
  /** Output received over the stream, or null when no stream has delivered any. */
  text: string | null;
  live: boolean;
}

/**
 * Follows `/api/runs/:id/stream` (Server-Sent Events) once the run is seen unfinished:
 * `output` events append text, `gap` events (output the server dropped because this connection
 * read too slowly) append a marker line saying how much, `status` events update the cached run,
 * `end` closes it and reloads the stored run. The server sends the output so far first, so a
 * (re)connect starts from an empty text. It stays open until `end` even after a `status` says the run finished,
 * so the last output chunks are not lost.
 */
export function useRunStream(id: number, unfinished: boolean): RunStream {
  const client = useQueryClient();
  const { t } = useI18n();
  // Read when a gap arrives; switching language must not reconnect the stream.
  const translate = useRef(t);
  translate.current = t;
  const [text, setText] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [follow, setFollow] = useState(false);

  useEffect(() => {
    if (unfinished) setFollow(true);
  }, [unfinished]);

  useEffect(() => {
    if (!follow || typeof EventSource === "undefined") return;
    const source = apiEventSource(`/api/runs/${id}/stream`);
    let ended = false;
    const key = runKeys.detail(id);

    source.addEventListener("open", () => {
      setLive(true);
      setText("");
    });
    source.addEventListener("output", (event) => {
      const data = parseJson<{ text?: string; reset?: boolean }>((event as MessageEvent).data);
      const chunk = data?.text ?? "";
      // `reset` replaces what was shown (the stored output was rewritten, e.g. truncated).
      if (data?.reset) setText(chunk);
      else if (chunk) setText((prev) => (prev ?? "") + chunk);
    });
    source.addEventListener("gap", (event) => {
      const bytes = parseJson<{ skippedBytes?: number }>((event as MessageEvent).data)?.skippedBytes ?? 0;
      const tr = translate.current;
      const marker = `${tr("run.gap", { size: formatBytes(bytes, tr) })}\n`;
      setText((prev) => (prev ? `${prev}${prev.endsWith("\n") ? "" : "\n"}${marker}` : marker));
    });
    source.addEventListener("status", (event) => {
      const status = parseJson<Partial<RunDetail>>((event as MessageEvent).data);
      if (!status) return;
      client.setQueryData<RunDetail>(key, (old) => (old ? { ...old, ...status, output: old.output } : old));
    });
    source.addEventListener("end", () => {
      ended = true;
      source.close();
      setLive(false);
      setFollow(false);
      // The stored run is the authority (notifications, truncation): show it once it is back.
      void client.refetchQueries({ queryKey: key }).then(() => setText(null));
    });
    source.addEventListener("error", () => {
      // CLOSED means the browser gave up (e.g. the endpoint is missing): polling takes over.
      if (!ended && source.readyState === EventSource.CLOSED) setLive(false);
    });
    return () => {
      source.close();
      setLive(false);
    };
  }, [id, follow, client]);

  return { text, live };
}

function parseJson<T>(data: unknown): T | null {
  if (typeof data !== "string") return null;
  try {
    return JSON.parse(data) as T;
  } catch {
    return null;
  }
}
