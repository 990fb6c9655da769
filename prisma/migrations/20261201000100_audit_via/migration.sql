-- AlterTable
-- Whether a session or which API token made each audited change.
ALTER TABLE `AuditEntry` ADD COLUMN `via` VARCHAR(16) NULL,
    ADD COLUMN `tokenId` INTEGER NULL;
