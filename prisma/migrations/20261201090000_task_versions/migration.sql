-- Edit history of tasks: every saved state of a task's editable fields.
CREATE TABLE `TaskVersion` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `taskId` INTEGER NOT NULL,
    `version` INTEGER NOT NULL,
    `snapshot` MEDIUMTEXT NOT NULL,
    `action` VARCHAR(16) NOT NULL,
    `actorId` INTEGER NULL,
    `actorName` VARCHAR(64) NOT NULL,
    `via` VARCHAR(16) NULL,
    `tokenId` INTEGER NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `TaskVersion_taskId_version_key`(`taskId`, `version`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE `TaskVersion` ADD CONSTRAINT `TaskVersion_taskId_fkey` FOREIGN KEY (`taskId`) REFERENCES `Task`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- Every task that exists now starts its history with version 1: its state as stored, saved at its
-- last edit, by "system" (who made it is not known). The columns are the editable ones of this
-- schema; the app reads a snapshot's values by the current column types (booleans come as 0/1).
-- No task has upstream tasks yet (dependencies came in the same release): dependsOn is empty.
INSERT INTO `TaskVersion` (`taskId`, `version`, `snapshot`, `action`, `actorName`, `createdAt`)
SELECT `id`, 1, JSON_OBJECT(
    'name', `name`, 'mode', `mode`, 'modeSettings', `modeSettings`, 'cron', `cron`,
    'timezone', `timezone`, 'executorGroup', `executorGroup`, 'timeoutSeconds', `timeoutSeconds`,
    'retryCount', `retryCount`, 'retryIntervalSeconds', `retryIntervalSeconds`,
    'concurrencyPolicy', `concurrencyPolicy`, 'misfirePolicy', `misfirePolicy`,
    'misfireGraceSeconds', `misfireGraceSeconds`, 'notifyPolicy', `notifyPolicy`,
    'notifyChannel', `notifyChannel`, 'notifySettings', `notifySettings`,
    'notifyKeywords', `notifyKeywords`, 'env', `env`, 'enabled', `enabled`, 'remark', `remark`,
    'owner', `owner`, 'tags', `tags`, 'dependsOnAll', `dependsOnAll`, 'dependsOn', JSON_ARRAY()
  ), 'create', 'system', `updatedAt`
FROM `Task`;
