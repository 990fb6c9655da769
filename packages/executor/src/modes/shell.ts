import { Type } from "typebox";
import { defineMode } from "../mode.ts";
import { runShell } from "../shell.ts";

// SHELL: a command line run by /bin/sh -c on the executor that owns the script, as the leader of
// its own process group (see shell.ts). Succeeds when the shell exits 0.

type ShellSettings = {
  command: string;
};

export const shellMode = defineMode<ShellSettings>({
  name: "SHELL",
  label: { en: "Shell", zh: "Shell" },
  executorGroupHint: {
    en: "The executor group that runs it. An executor's name is a group of its own: name the executor on the host that owns the script. Without NATS, this app runs every group itself.",
    zh: "由哪个执行器分组运行。每个执行器的名称本身也是一个分组：填写脚本所在主机上的执行器名称即可固定到该主机。未配置 NATS 时，所有分组都由本应用自己运行。",
  },
  isolation: "process",
  fields: {
    command: Type.String({
      minLength: 1,
      maxLength: 8192,
      description: "SHELL: command line for /bin/sh -c; HTTP: absolute http(s) URL",
    }),
  },
  empty: { command: "" },
  normalize(given, { fail, required }) {
    const command = given.command ?? "";
    if (required && command.trim().length === 0) fail("command", "must not be blank", "BLANK");
    // spawn() refuses an argument holding NUL, so every run would fail.
    if (command.includes("\0")) fail("command", "must not contain NUL characters", "NUL_CHARS");
    if (Buffer.byteLength(command) > 8192) fail("command", "must be at most 8 KiB", "MAX_BYTES", { limit: "8 KiB" });
    return { command };
  },
  searchText: (settings) => settings.command,
  run: (settings, attempt) => runShell(settings.command, attempt),
  form: [
    {
      name: "command",
      required: true,
      kind: "code",
      label: { en: "Command", zh: "命令" },
      hint: { en: "Run by /bin/sh -c on the executor.", zh: "在执行器上由 /bin/sh -c 执行。" },
      placeholder: "/opt/jobs/backup.sh --full",
    },
  ],
});
