-- CreateTable
CREATE TABLE `Executor` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(128) NOT NULL,
    `host` VARCHAR(128) NOT NULL,
    `groups` TEXT NOT NULL,
    `mode` VARCHAR(16) NOT NULL,
    `version` VARCHAR(32) NOT NULL,
    `startedAt` DATETIME(3) NOT NULL,
    `lastSeenAt` DATETIME(3) NOT NULL,
    `running` INTEGER NOT NULL DEFAULT 0,

    UNIQUE INDEX `Executor_name_key`(`name`),
    INDEX `Executor_lastSeenAt_idx`(`lastSeenAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
