import type { RunRow, TaskRow } from "@crondeck/db";
import { deliver, type NotificationTarget, type NotifyConfig, shouldNotify, toRunSummary } from "@crondeck/notify";
import { toApiRun } from "../runs/view.ts";
import { toApiTask } from "../tasks/repository.ts";
import type { RunStore } from "./run-store.ts";

/** The notify fields of a task as @crondeck/notify wants them (the secret included). */
export function notificationTarget(task: TaskRow): NotificationTarget {
  return {
    policy: task.notifyPolicy as NotificationTarget["policy"],
    channel: task.notifyChannel as NotificationTarget["channel"],
    emails: JSON.parse(task.notifyEmails) as string[],
    webhookUrl: task.notifyWebhookUrl,
    webhookFormat: task.notifyWebhookFormat as NotificationTarget["webhookFormat"],
    webhookSecret: task.notifyWebhookSecret,
    keywords: JSON.parse(task.notifyKeywords) as string[],
  };
}

/**
 * Applies a task's notify policy after a fire's last attempt and records each delivery with the
 * run. A delivery failure never changes the run and never throws into the run job.
 */
export class Notifier {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: RunStore,
    private readonly config: NotifyConfig,
    private readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void },
  ) {}

  afterFire(task: TaskRow, last: RunRow): Promise<void> {
    const run = toApiRun(last);
    if (!shouldNotify(task.notifyPolicy as NotificationTarget["policy"], run)) return Promise.resolve();
    const job = (async () => {
      try {
        const summary = toRunSummary(
          toApiTask(task, () => null),
          run,
        );
        const result = await deliver(notificationTarget(task), summary, this.config);
        if (!result.ok) {
          // Operators watch the log, not each run's page. target and error come scrubbed of secrets.
          const { channel, target, error, attempts } = result;
          this.log.warn({ runId: last.id, taskId: task.id, channel, target, error, attempts }, "notification failed");
        }
        await this.store.recordNotification(last.id, result);
      } catch (err) {
        this.log.error({ err, runId: last.id }, "notification could not be recorded");
      }
    })();
    this.#pending.add(job);
    void job.finally(() => this.#pending.delete(job));
    return job;
  }

  /** Waits for deliveries under way (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}
