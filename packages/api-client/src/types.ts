import type { components, operations } from "./openapi.gen.ts";

// Friendly names for the API's shapes, all taken from the generated document types: a field added
// to a route's schema on the server reaches every client (the dashboard, the CLI) by running
// `pnpm --filter @crondeck/api-client generate`, nothing else. Nothing here is written by hand
// but the names.

type Schemas = components["schemas"];

/** An operation of the API by its operationId (listTasks, getRun, …). */
export type OperationId = keyof operations;

type Json<R> = R extends { content: { "application/json": infer Body } } ? Body : never;

/** The JSON an operation answers with, for a status (200 unless told). */
export type ResponseBody<
  Op extends OperationId,
  Status extends keyof operations[Op]["responses"] = 200 & keyof operations[Op]["responses"],
> = Json<operations[Op]["responses"][Status]>;

/** The JSON body an operation takes. */
export type RequestBody<Op extends OperationId> = Json<NonNullable<operations[Op]["requestBody"]>>;

/** The query string an operation takes (every parameter, as typed values). */
export type QueryParams<Op extends OperationId> = NonNullable<operations[Op]["parameters"]["query"]>;

// Tasks

export type Task = Schemas["Task"];
export type TaskPage = Schemas["TaskPage"];
/** What will keep a saved task from running as saved (on create and edit; it is saved anyway). */
export type TaskWarning = NonNullable<Task["warnings"]>[number];
/** A glance at a task's latest ended run, on list rows and the task. */
export type LastRun = NonNullable<Task["lastRun"]>;
export type TaskListQuery = QueryParams<"listTasks">;
export type TaskSort = NonNullable<TaskListQuery["sort"]>;
export type BulkTaskInput = RequestBody<"bulkTaskAction">;
export type BulkAction = BulkTaskInput["action"];
export type BulkResult = ResponseBody<"bulkTaskAction">;
export type BulkItemResult = BulkResult["results"][number];
export type TasksPlan = ResponseBody<"planTasks">;
export type PlanAction = TasksPlan["items"][number]["action"];
export type RunStarted = ResponseBody<"runTask", 202>;

// Runs

export type RunListItem = Schemas["RunListItem"];
export type RunDetail = Schemas["RunDetail"];
export type RunPage = Schemas["RunPage"];
export type RunListQuery = QueryParams<"listRuns">;
export type TaskRunsQuery = QueryParams<"listTaskRuns">;
/** One attempt of a run's fire, as a run's detail lists them. */
export type RunAttempt = RunDetail["attempts"][number];
/** A notification sent (or tried) for a run. */
export type NotificationRecord = RunDetail["notifications"][number];
export type RunCleanupInput = RequestBody<"cleanupRuns">;
export type RunCleanupResult = ResponseBody<"cleanupRuns">;

/** A page of any paged list (tasks, runs, audit entries): its items and where they sit in the whole. */
export type Page<T> = Omit<TaskPage, "items"> & Partial<Pick<RunPage, "totalCapped">> & { items: T[] };

// The rest

export type CronPreview = ResponseBody<"previewCron">;
export type NotificationTestResult = ResponseBody<"testNotification">;
export type Stats = ResponseBody<"getStats">;
export type ExecutorInfo = ResponseBody<"listExecutors">[number];
export type AuditEntry = ResponseBody<"listAuditEntries">["items"][number];
export type AuditQuery = QueryParams<"listAuditEntries">;
/** Who is signed in (GET /api/auth/me, POST /api/auth/login). */
export type Me = ResponseBody<"getCurrentUser">;
export type PasswordChanged = ResponseBody<"changeOwnPassword">;
export type User = ResponseBody<"listUsers">[number];
export type NewUser = RequestBody<"createUser">;
export type UserChange = RequestBody<"updateUser">;
/** An API token as listed: never the secret itself, only its first characters. */
export type ApiToken = ResponseBody<"listTokens">[number];
/** The answer to creating a token: the only time `token` is ever sent. */
export type CreatedToken = ResponseBody<"createToken", 201>;
export type NewToken = RequestBody<"createToken">;
/** A secret as listed: its name and who last wrote it, never its value. */
export type Secret = ResponseBody<"listSecrets">["items"][number];
export type Meta = ResponseBody<"getMeta">;
export type ServerSettings = ResponseBody<"getSettings">;
