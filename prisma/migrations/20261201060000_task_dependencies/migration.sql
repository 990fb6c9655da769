-- Task dependencies: a task started by the end of other tasks' fires (trigger DEPENDENCY).
ALTER TABLE `Task` ADD COLUMN `dependsOnAll` BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE `Run` ADD COLUMN `triggeredByRunId` INTEGER NULL;

-- CreateTable
CREATE TABLE `TaskDependency` (
    `taskId` INTEGER NOT NULL,
    `upstreamTaskId` INTEGER NOT NULL,
    `on` VARCHAR(8) NOT NULL,

    INDEX `TaskDependency_upstreamTaskId_idx`(`upstreamTaskId`),
    PRIMARY KEY (`taskId`, `upstreamTaskId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `TaskDependency` ADD CONSTRAINT `TaskDependency_taskId_fkey` FOREIGN KEY (`taskId`) REFERENCES `Task`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `TaskDependency` ADD CONSTRAINT `TaskDependency_upstreamTaskId_fkey` FOREIGN KEY (`upstreamTaskId`) REFERENCES `Task`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
