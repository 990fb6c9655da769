-- Edit history of tasks: every saved state of a task's editable fields.
CREATE TABLE "TaskVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "taskId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "snapshot" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" INTEGER,
    "actorName" TEXT NOT NULL,
    "via" TEXT,
    "tokenId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TaskVersion_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "TaskVersion_taskId_version_key" ON "TaskVersion"("taskId", "version");

-- Every task that exists now starts its history with version 1: its state as stored, saved at its
-- last edit, by "system" (who made it is not known). The columns are the editable ones of this
-- schema; the app reads a snapshot's values by the current column types (booleans come as 0/1).
-- No task has upstream tasks yet (dependencies came in the same release): dependsOn is empty.
INSERT INTO "TaskVersion" ("taskId", "version", "snapshot", "action", "actorName", "createdAt")
SELECT "id", 1, json_object(
    'name', "name", 'mode', "mode", 'modeSettings', "modeSettings", 'cron', "cron",
    'timezone', "timezone", 'executorGroup', "executorGroup", 'timeoutSeconds', "timeoutSeconds",
    'retryCount', "retryCount", 'retryIntervalSeconds', "retryIntervalSeconds",
    'concurrencyPolicy', "concurrencyPolicy", 'misfirePolicy', "misfirePolicy",
    'misfireGraceSeconds', "misfireGraceSeconds", 'notifyPolicy', "notifyPolicy",
    'notifyChannel', "notifyChannel", 'notifySettings', "notifySettings",
    'notifyKeywords', "notifyKeywords", 'env', "env", 'enabled', "enabled", 'remark', "remark",
    'owner', "owner", 'tags', "tags", 'dependsOnAll', "dependsOnAll", 'dependsOn', json_array()
  ), 'create', 'system', "updatedAt"
FROM "Task";
