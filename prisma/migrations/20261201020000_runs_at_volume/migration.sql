-- Runs at volume (issue 11). A task's last result is kept on the task by the engine as attempts
-- end, so the task list reads and sorts by it instead of scanning runs; the runs list filters,
-- the dashboard's counts and retention each walk an index of their own.
ALTER TABLE `Task`
    ADD COLUMN `lastRunId` INTEGER NULL,
    ADD COLUMN `lastRunStatus` VARCHAR(16) NULL,
    ADD COLUMN `lastRunFinishedAt` DATETIME(3) NULL;

-- The newest attempt of each task that ended other than SKIPPED, as the task list found it before.
UPDATE `Task` t
    JOIN (SELECT `taskId`, MAX(`id`) AS `id` FROM `Run`
          WHERE `status` IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELED', 'LOST')
          GROUP BY `taskId`) last ON last.`taskId` = t.`id`
    JOIN `Run` r ON r.`id` = last.`id`
SET t.`lastRunId` = r.`id`, t.`lastRunStatus` = r.`status`, t.`lastRunFinishedAt` = r.`finishedAt`;

-- CreateIndex
CREATE INDEX `Task_lastRunStatus_id_idx` ON `Task`(`lastRunStatus`, `id`);

-- CreateIndex
CREATE INDEX `Task_lastRunStatus_lastRunId_idx` ON `Task`(`lastRunStatus`, `lastRunId`);

-- CreateIndex
CREATE INDEX `Run_trigger_idx` ON `Run`(`trigger`);

-- CreateIndex: status with trigger and executor too, so a filter on several of them reads one
-- index in id order (MySQL would otherwise intersect three, one of them most of the table).
CREATE INDEX `Run_status_trigger_executor_idx` ON `Run`(`status`, `trigger`, `executor`);

-- CreateIndex
CREATE INDEX `Run_executor_idx` ON `Run`(`executor`);

-- CreateIndex
CREATE INDEX `Run_scheduledAt_status_rootRunId_attempt_idx` ON `Run`(`scheduledAt`, `status`, `rootRunId`, `attempt`);

-- CreateIndex
CREATE INDEX `Run_rootRunId_attempt_idx` ON `Run`(`rootRunId`, `attempt`);

-- CreateIndex
CREATE INDEX `Run_finishedAt_idx` ON `Run`(`finishedAt`);

-- CreateIndex
CREATE INDEX `Run_updatedAt_scheduledAt_idx` ON `Run`(`updatedAt`, `scheduledAt`);

-- CreateIndex
CREATE INDEX `Notification_ok_runId_idx` ON `Notification`(`ok`, `runId`);
