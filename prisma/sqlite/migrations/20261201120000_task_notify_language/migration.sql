-- The language of a task's notifications; NULL follows the server default (NOTIFY_LANGUAGE).
ALTER TABLE "Task" ADD COLUMN "notifyLanguage" TEXT;
