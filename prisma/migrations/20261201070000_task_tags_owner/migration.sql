-- Tags and an owner on tasks, and the task list's filters by them.
--
-- owner: free text (a person, a team), matched exactly by the list's owner filter: byte for byte,
-- as on SQLite, hence utf8mb4_bin (utf8mb4_unicode_ci would also fold case and accents here only).
-- tags: the task's tags as given, a JSON array, read with the task; TaskTag holds them again, one
-- row each, under their lower-cased key, so the tag filter and the tag counts read an index.
-- Existing tasks have no owner and no tags, so their searchText stays as it is.
ALTER TABLE `Task`
    ADD COLUMN `owner` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
    ADD COLUMN `tags` VARCHAR(1024) NOT NULL DEFAULT '[]';

-- CreateIndex
CREATE INDEX `Task_owner_id_idx` ON `Task`(`owner`, `id`);

-- CreateTable
CREATE TABLE `TaskTag` (
    `taskId` INTEGER NOT NULL,
    `tagKey` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `tag` VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,

    INDEX `TaskTag_tagKey_taskId_idx`(`tagKey`, `taskId`),
    PRIMARY KEY (`taskId`, `tagKey`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `TaskTag` ADD CONSTRAINT `TaskTag_taskId_fkey` FOREIGN KEY (`taskId`) REFERENCES `Task`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
