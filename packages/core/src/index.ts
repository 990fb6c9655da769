export * from "./checks.ts";
export * from "./cron.ts";
export * from "./field-errors.ts";
export * from "./list.ts";
export * from "./run-errors.ts";
export * from "./settings-module.ts";
export * from "./tags.ts";
export * from "./types.ts";
