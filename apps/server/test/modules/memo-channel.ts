import { appendFile } from "node:fs/promises";
import { DeliveryError, defineChannel } from "@crondeck/notify";
import { Type } from "typebox";

// A toy notification channel, in one file, for test/modules.test.ts: it proves a channel is one
// module. MEMO appends one line per message to a file; its key is write-only and signs the line.

type MemoSettings = {
  memoFile: string | null;
  memoKey: string | null;
};

export const memoChannel = defineChannel<MemoSettings>({
  name: "MEMO",
  label: { en: "Memo file", zh: "备忘文件" },
  fields: {
    memoFile: Type.Union([Type.String({ maxLength: 500 }), Type.Null()], {
      description: "MEMO: an absolute file path",
    }),
    memoKey: Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: "MEMO: write-only" }),
  },
  empty: { memoFile: null, memoKey: null },
  secrets: { memoKey: { kind: "writeOnly" } },
  normalize(given, { fail, required }) {
    const memoFile = given.memoFile?.trim() || null;
    if (memoFile !== null && !memoFile.startsWith("/")) fail("memoFile", "must be an absolute path", "INVALID");
    if (required && memoFile === null)
      fail("memoFile", "is required when notifyChannel is MEMO", "REQUIRED_WHEN", {
        field: "notifyChannel",
        value: "MEMO",
      });
    return { memoFile, memoKey: given.memoKey || null };
  },
  describeTarget: (settings) => settings.memoFile ?? "",
  async send(settings, run) {
    try {
      await appendFile(
        settings.memoFile ?? "",
        `${run.taskName} ${run.status} run=${run.runId} signed=${settings.memoKey ? "yes" : "no"}\n`,
      );
      return null;
    } catch (err) {
      // The key in the message proves the notifier scrubs declared secrets from errors.
      throw new DeliveryError(
        `cannot write ${settings.memoFile} with key ${settings.memoKey}: ${(err as Error).message}`,
        false,
      );
    }
  },
  form: [
    { name: "memoFile", kind: "text", required: true, label: { en: "File", zh: "文件" } },
    { name: "memoKey", kind: "secret", label: { en: "Key", zh: "密钥" } },
  ],
});
