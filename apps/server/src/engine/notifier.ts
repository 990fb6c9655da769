import type { RunRow, TaskRow } from "@crondeck/db";
import { deliver, isNotifyLanguage, type NotifyConfig, shouldNotify, toRunSummary } from "@crondeck/notify";
import { toApiRun } from "../runs/view.ts";
import type { TaskModules } from "../tasks/modules.ts";
import type { RunStore } from "./run-store.ts";

/**
 * Applies a task's notify policy after a fire's last attempt and records each delivery with the
 * run. A delivery failure never changes the run and never throws into the run job.
 */
export class Notifier {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly store: RunStore,
    private readonly modules: TaskModules,
    private readonly config: NotifyConfig,
    private readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void },
  ) {}

  afterFire(task: TaskRow, last: RunRow): Promise<void> {
    const run = toApiRun(last);
    const target = this.modules.notificationTarget(task);
    if (!shouldNotify(target.policy, run)) return Promise.resolve();
    const job = (async () => {
      try {
        // Its zone, retries and language make the message: times in the zone, "attempt 2 of 3". A null
        // language is filled in with the server's default by deliver().
        const summary = toRunSummary(
          {
            id: task.id,
            name: task.name,
            mode: task.mode,
            timezone: task.timezone,
            retryCount: task.retryCount,
            language: isNotifyLanguage(task.notifyLanguage) ? task.notifyLanguage : null,
          },
          run,
        );
        const result = await deliver(target, summary, this.config, this.modules.channels);
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
