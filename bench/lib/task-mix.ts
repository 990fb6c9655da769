import { type TaskInput, taskRow } from "./seed.ts";

// Start-up population: realistic schedules in five zones, all hourly or rarer so the armed app
// stays idle while its steady-state cost is watched (a minute-level task would fire mid-watch).
const EXPRESSIONS = [
  "0 * * * *",
  "15 * * * *",
  "30 * * * *",
  "45 * * * *",
  "0 */2 * * *",
  "0 */3 * * *",
  "0 */6 * * *",
  "0 */12 * * *",
  "0 0 * * *",
  "30 2 * * *",
  "0 3 * * *",
  "0 9 * * *",
  "0 9 * * 1-5",
  "30 18 * * 1-5",
  "0 12 * * 0",
  "0 8 * * 6",
  "0 0 * * 1",
  "0 0 1 * *",
  "0 0 15 * *",
  "0 0 L * *",
  "0 6 1,15 * *",
  "0 0 1 1 *",
  "0 0 1 */3 *",
  "@hourly",
  "@daily",
  "@weekly",
  "@monthly",
  "0 8-18 * * 1-5",
  "0 22 * * 1-5",
  "59 23 * * *",
  "1 1 * * *",
  "7 7 7 * *",
  "0 0 29 2 *",
  "0 0 0 * * *",
  "30 0 4 * * *",
  "0 30 5 * * 1",
  "0 0 12 1 * *",
  "0 0 6 * * 0,6",
  "0 45 23 * * *",
  "0 5 0 1 1 *",
];
const ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Sydney"];

/** Task `index` of the start-up population: SHELL `true`, half SKIP and half RUN_LATEST. */
export function startupTask(index: number): TaskInput {
  return taskRow(`startup-${index}`, {
    cron: EXPRESSIONS[index % EXPRESSIONS.length] as string,
    timezone: ZONES[Math.floor(index / EXPRESSIONS.length) % ZONES.length] as string,
    misfirePolicy: index % 2 === 0 ? "SKIP" : "RUN_LATEST",
  });
}
