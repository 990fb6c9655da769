-- A cancel asked through an instance that does not run the attempt (several instances on one
-- database, no NATS): the owner sees the request at its next lease round and stops the attempt.
ALTER TABLE `Run` ADD COLUMN `cancelRequestedAt` DATETIME(3) NULL;
