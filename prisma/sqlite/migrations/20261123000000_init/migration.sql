-- CreateTable
-- name is NOCASE so uniqueness and search ignore ASCII case, as utf8mb4_unicode_ci does on MySQL.
CREATE TABLE "Task" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL COLLATE NOCASE,
    "mode" TEXT NOT NULL,
    "httpMethod" TEXT,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "httpHeaders" TEXT NOT NULL,
    "httpBody" TEXT,
    "executorGroup" TEXT NOT NULL DEFAULT 'default',
    "timeoutSeconds" INTEGER NOT NULL DEFAULT 60,
    "retryCount" INTEGER NOT NULL DEFAULT 0,
    "retryIntervalSeconds" INTEGER NOT NULL DEFAULT 60,
    "concurrencyPolicy" TEXT NOT NULL DEFAULT 'FORBID',
    "notifyPolicy" TEXT NOT NULL DEFAULT 'NONE',
    "notifyChannel" TEXT,
    "notifyEmails" TEXT NOT NULL,
    "notifyWebhookUrl" TEXT,
    "notifyWebhookFormat" TEXT,
    "notifyWebhookSecret" TEXT,
    "notifyKeywords" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "remark" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Run" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "taskId" INTEGER NOT NULL,
    "trigger" TEXT NOT NULL,
    "scheduledAt" DATETIME NOT NULL,
    "fireKey" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "rootRunId" INTEGER,
    "status" TEXT NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "durationMs" INTEGER,
    "exitCode" INTEGER,
    "httpStatus" INTEGER,
    "output" TEXT NOT NULL,
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "outputBytes" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "executor" TEXT,
    "matchedKeywords" TEXT NOT NULL,
    "heartbeatAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Run_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Task_name_key" ON "Task"("name");

-- CreateIndex
CREATE INDEX "Task_enabled_idx" ON "Task"("enabled");

-- CreateIndex
CREATE INDEX "Task_mode_idx" ON "Task"("mode");

-- CreateIndex
CREATE UNIQUE INDEX "Run_taskId_fireKey_attempt_key" ON "Run"("taskId", "fireKey", "attempt");

-- CreateIndex
CREATE INDEX "Run_taskId_id_idx" ON "Run"("taskId", "id");

-- CreateIndex
CREATE INDEX "Run_status_idx" ON "Run"("status");

-- CreateIndex
CREATE INDEX "Run_createdAt_idx" ON "Run"("createdAt");
