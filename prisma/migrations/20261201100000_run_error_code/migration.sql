-- A run's error as a code and its params (JSON), next to the English text: the dashboard
-- translates it. Runs recorded before have neither; their English error is shown as it is.
ALTER TABLE `Run` ADD COLUMN `errorCode` VARCHAR(48) NULL,
    ADD COLUMN `errorParams` TEXT NULL;
