-- Task names are unique ignoring ASCII case only, as on SQLite. utf8mb4_unicode_ci also folded
-- accents, ß/ss and all emoji together, so uniqueness moves to nameKey: the name with A-Z
-- lower-cased (the app computes it on every write), compared byte for byte.
ALTER TABLE `Task` DROP INDEX `Task_name_key`,
    MODIFY `name` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    ADD COLUMN `nameKey` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;

-- Byte-wise on purpose: LOWER() would fold non-ASCII letters too, and an ASCII byte never occurs
-- inside a multi-byte UTF-8 character.
UPDATE `Task` SET `nameKey` = CONVERT(
    REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
    REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
        CAST(`name` AS BINARY),
    'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), 'E', 'e'), 'F', 'f'), 'G', 'g'),
    'H', 'h'), 'I', 'i'), 'J', 'j'), 'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'),
    'O', 'o'), 'P', 'p'), 'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'),
    'V', 'v'), 'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z')
    USING utf8mb4);

ALTER TABLE `Task` MODIFY `nameKey` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX `Task_nameKey_key` ON `Task`(`nameKey`);
