import type { RunListItem as Run } from "@crondeck/api-client";
import { isMessageKey, type Translate } from "./i18n/index.tsx";

// A run's error comes with a code and its params (RUN_ERROR_CODES in @crondeck/core) next to its
// English text: the dashboard says it in the reader's language from the code, and shows the
// server's text only for a run without a code (recorded before codes existed) or with a code it
// does not know (a newer server).

type RunErrorFields = Pick<Run, "error"> & Partial<Pick<Run, "errorCode" | "errorParams">>;

/** The run's error in the reader's language, or null when it has none. */
export function runErrorText(run: RunErrorFields, t: Translate): string | null {
  const key = run.errorCode ? `runError.${run.errorCode}` : "";
  if (!isMessageKey(key)) return run.error ?? null;
  const params: Record<string, string | number> = { ...run.errorParams };
  // A misfire policy named by its code ("SKIP") is said as the task form says it.
  const policy = `misfire.${params.policy}`;
  if (isMessageKey(policy)) params.policy = t(policy);
  return t(key, params);
}
