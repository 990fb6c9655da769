-- A run's error as a code and its params (JSON), next to the English text: the dashboard
-- translates it. Runs recorded before have neither; their English error is shown as it is.
ALTER TABLE "Run" ADD COLUMN "errorCode" TEXT;
ALTER TABLE "Run" ADD COLUMN "errorParams" TEXT;
