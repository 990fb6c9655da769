export { Scheduler } from "./scheduler.ts";
export type { RunTaskJob, SchedulableTask, SchedulerLogger, SchedulerOptions } from "./types.ts";
