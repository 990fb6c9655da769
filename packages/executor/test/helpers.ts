import { readdirSync, readFileSync } from "node:fs";
import type { ExecutionRequest } from "../src/index.ts";

export function shellRequest(command: string, overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return {
    runId: 101,
    taskId: 7,
    scheduledAt: new Date("2026-11-23T10:15:00.000Z"),
    attempt: 1,
    mode: "SHELL",
    settings: { command },
    timeoutSeconds: 30,
    idempotencyKey: "7:2026-11-23T10:15:00.000Z",
    ...overrides,
  };
}

/** The HTTP mode's settings, as a stored task holds them. */
export interface HttpSettings {
  httpMethod?: "GET" | "POST";
  httpHeaders?: Record<string, string>;
  httpBody?: string | null;
}

export function httpRequest(
  url: string,
  {
    httpMethod = "GET",
    httpHeaders = {},
    httpBody = null,
    ...overrides
  }: Partial<ExecutionRequest> & HttpSettings = {},
): ExecutionRequest {
  return shellRequest(url, {
    mode: "HTTP",
    settings: { command: url, httpMethod, httpHeaders, httpBody },
    ...overrides,
  });
}

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
}

/** /proc/<pid>/stat, parsed after the command name (which may itself contain spaces and parentheses). */
function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "?", pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** Whether the process exists and is not a zombie (an unreaped zombie runs nothing). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = procStat(pid);
  return stat !== null && stat.state !== "Z";
}

/** Live (non-zombie) processes whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => procStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null && stat.pgrp === pgid && stat.state !== "Z")
    .map((stat) => stat.pid);
}

/** Every decimal number printed after `label ` in the output. */
export function pidsLabelled(output: string, label: string): number[] {
  return [...output.matchAll(new RegExp(`${label} (\\d+)`, "g"))].map((m) => Number(m[1]));
}
