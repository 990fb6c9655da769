-- CreateTable
CREATE TABLE `RunOutput` (
    `runId` INTEGER NOT NULL,
    `data` LONGBLOB NOT NULL,
    `bytes` INTEGER NOT NULL,
    `compressedBytes` INTEGER NOT NULL,
    `capped` BOOLEAN NOT NULL DEFAULT false,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    PRIMARY KEY (`runId`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `RunOutput` ADD CONSTRAINT `RunOutput_runId_fkey` FOREIGN KEY (`runId`) REFERENCES `Run`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
