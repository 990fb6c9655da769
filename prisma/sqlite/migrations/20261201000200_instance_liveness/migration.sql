-- See prisma/migrations/20261201000200_instance_liveness: liveness by process incarnation.
ALTER TABLE "Run" ADD COLUMN "ownerId" TEXT;
ALTER TABLE "Run" ADD COLUMN "pgid" INTEGER;
ALTER TABLE "Executor" ADD COLUMN "bootId" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Executor" ADD COLUMN "pid" INTEGER;
