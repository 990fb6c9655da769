-- CreateTable
CREATE TABLE `Task` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(64) NOT NULL,
    `mode` VARCHAR(8) NOT NULL,
    `httpMethod` VARCHAR(8) NULL,
    `cron` VARCHAR(128) NOT NULL,
    `timezone` VARCHAR(64) NOT NULL,
    `command` TEXT NOT NULL,
    `httpHeaders` TEXT NOT NULL,
    `httpBody` MEDIUMTEXT NULL,
    `executorGroup` VARCHAR(64) NOT NULL DEFAULT 'default',
    `timeoutSeconds` INTEGER NOT NULL DEFAULT 60,
    `retryCount` INTEGER NOT NULL DEFAULT 0,
    `retryIntervalSeconds` INTEGER NOT NULL DEFAULT 60,
    `concurrencyPolicy` VARCHAR(8) NOT NULL DEFAULT 'FORBID',
    `notifyPolicy` VARCHAR(16) NOT NULL DEFAULT 'NONE',
    `notifyChannel` VARCHAR(16) NULL,
    `notifyEmails` TEXT NOT NULL,
    `notifyWebhookUrl` VARCHAR(2048) NULL,
    `notifyWebhookFormat` VARCHAR(16) NULL,
    `notifyWebhookSecret` VARCHAR(255) NULL,
    `notifyKeywords` TEXT NOT NULL,
    `enabled` BOOLEAN NOT NULL DEFAULT true,
    `remark` VARCHAR(255) NOT NULL DEFAULT '',
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Task_name_key`(`name`),
    INDEX `Task_enabled_idx`(`enabled`),
    INDEX `Task_mode_idx`(`mode`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `Run` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `taskId` INTEGER NOT NULL,
    `trigger` VARCHAR(16) NOT NULL,
    `scheduledAt` DATETIME(3) NOT NULL,
    `fireKey` VARCHAR(32) NULL,
    `attempt` INTEGER NOT NULL DEFAULT 1,
    `rootRunId` INTEGER NULL,
    `status` VARCHAR(16) NOT NULL,
    `startedAt` DATETIME(3) NULL,
    `finishedAt` DATETIME(3) NULL,
    `durationMs` INTEGER NULL,
    `exitCode` INTEGER NULL,
    `httpStatus` INTEGER NULL,
    `output` MEDIUMTEXT NOT NULL,
    `truncated` BOOLEAN NOT NULL DEFAULT false,
    `outputBytes` INTEGER NOT NULL DEFAULT 0,
    `error` TEXT NULL,
    `executor` VARCHAR(128) NULL,
    `matchedKeywords` TEXT NOT NULL,
    `heartbeatAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Run_taskId_fireKey_attempt_key`(`taskId`, `fireKey`, `attempt`),
    INDEX `Run_taskId_id_idx`(`taskId`, `id`),
    INDEX `Run_status_idx`(`status`),
    INDEX `Run_createdAt_idx`(`createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `Run` ADD CONSTRAINT `Run_taskId_fkey` FOREIGN KEY (`taskId`) REFERENCES `Task`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
