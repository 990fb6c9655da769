-- The task list is answered by the database (issue 11): search reads one column, and sorting by
-- next run or by creation date walks an index instead of sorting every task in memory.
--
-- searchText: name, command and remark, one per line, with A-Z lower-cased (taskSearchText in
-- @crondeck/db, written with every task), compared byte for byte like nameKey: the search folds
-- ASCII case and nothing else, and treats % and _ literally (the app escapes them).
-- nextRunAtMs: the next-run sort key (ms since the epoch), null until the app first computes it.
ALTER TABLE `Task`
    ADD COLUMN `searchText` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    ADD COLUMN `nextRunAtMs` BIGINT NULL;

-- Byte-wise on purpose, as for nameKey: LOWER() would fold non-ASCII letters too. The columns are
-- concatenated as bytes because name (utf8mb4_bin) and command (utf8mb4_unicode_ci) differ in collation.
UPDATE `Task` SET `searchText` = CONVERT(
    REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
        CONCAT(CAST(`name` AS BINARY), CHAR(10), CAST(`command` AS BINARY), CHAR(10), CAST(`remark` AS BINARY)),
    'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), 'E', 'e'), 'F', 'f'), 'G', 'g'),
    'H', 'h'), 'I', 'i'), 'J', 'j'), 'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'),
    'O', 'o'), 'P', 'p'), 'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'),
    'V', 'v'), 'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z')
    USING utf8mb4);

ALTER TABLE `Task` MODIFY `searchText` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

-- CreateIndex
CREATE INDEX `Task_nextRunAtMs_id_idx` ON `Task`(`nextRunAtMs`, `id`);

-- CreateIndex
CREATE INDEX `Task_createdAt_id_idx` ON `Task`(`createdAt`, `id`);
