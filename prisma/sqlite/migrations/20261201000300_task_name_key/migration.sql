-- Task names are unique ignoring ASCII case only. The NOCASE index on name already did that here;
-- uniqueness moves to nameKey (the name with A-Z lower-cased, computed by the app) so both
-- databases enforce it the same way.
DROP INDEX "Task_name_key";

-- SQLite adds a NOT NULL column only with a default; the app sets nameKey on every write.
ALTER TABLE "Task" ADD COLUMN "nameKey" TEXT NOT NULL DEFAULT '';

-- SQLite's built-in lower() folds ASCII letters only, which is the rule.
UPDATE "Task" SET "nameKey" = lower("name");

-- CreateIndex
CREATE UNIQUE INDEX "Task_nameKey_key" ON "Task"("nameKey");
