-- AlterTable
-- Whether a session or which API token made each audited change.
ALTER TABLE "AuditEntry" ADD COLUMN "via" TEXT;
ALTER TABLE "AuditEntry" ADD COLUMN "tokenId" INTEGER;
