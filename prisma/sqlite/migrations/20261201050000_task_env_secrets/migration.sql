-- Environment per task and the secrets store (issue 16).
-- SQLite adds a NOT NULL column only with a default; the app writes env with every task.
ALTER TABLE "Task" ADD COLUMN "env" TEXT NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "Secret" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Secret_name_key" ON "Secret"("name");
