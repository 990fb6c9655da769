-- Environment per task and the secrets store (issue 16).
ALTER TABLE `Task` ADD COLUMN `env` TEXT NULL;
UPDATE `Task` SET `env` = '{}';
ALTER TABLE `Task` MODIFY `env` TEXT NOT NULL;

-- CreateTable
CREATE TABLE `Secret` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(64) NOT NULL,
    `value` TEXT NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,
    `updatedBy` VARCHAR(64) NOT NULL,

    UNIQUE INDEX `Secret_name_key`(`name`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
