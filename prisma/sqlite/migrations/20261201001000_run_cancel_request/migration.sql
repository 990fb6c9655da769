-- See prisma/migrations/20261201001000_run_cancel_request: a cancel asked through another instance.
ALTER TABLE "Run" ADD COLUMN "cancelRequestedAt" DATETIME;
