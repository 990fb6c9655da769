-- A manual run's parameters ("run once with parameters"): null for every other run.
ALTER TABLE `Run` ADD COLUMN `parameters` TEXT NULL;
