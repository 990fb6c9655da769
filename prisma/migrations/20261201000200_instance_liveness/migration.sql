-- Liveness by process incarnation, not by name: each process writes a fresh bootId into its
-- Executor row and stamps the runs it owns with it (Run.ownerId), so a restart under the same
-- INSTANCE_NAME, or a peer that stopped renewing its lease, is told apart from a live owner.
-- Run.pgid is the process group of a SHELL attempt, so a restarted process can stop its
-- predecessor's orphans before a retry starts.
ALTER TABLE `Run` ADD COLUMN `ownerId` VARCHAR(64) NULL,
    ADD COLUMN `pgid` INTEGER NULL;

ALTER TABLE `Executor` ADD COLUMN `bootId` VARCHAR(64) NOT NULL DEFAULT '',
    ADD COLUMN `pid` INTEGER NULL;
