export * from "./cron.ts";
export * from "./list.ts";
export * from "./types.ts";
