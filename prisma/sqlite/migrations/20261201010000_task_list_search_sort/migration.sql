-- The task list is answered by the database (issue 11): search reads one column, and sorting by
-- next run or by creation date walks an index instead of sorting every task in memory.
--
-- searchText: name, command and remark, one per line, with A-Z lower-cased (taskSearchText in
-- @crondeck/db, written with every task); the app escapes % and _ and searches with LIKE … ESCAPE.
-- nextRunAtMs: the next-run sort key (ms since the epoch), null until the app first computes it.
-- SQLite adds a NOT NULL column only with a default; the app sets searchText on every write.
ALTER TABLE "Task" ADD COLUMN "searchText" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Task" ADD COLUMN "nextRunAtMs" BIGINT;

-- SQLite's built-in lower() folds ASCII letters only, which is the rule.
UPDATE "Task" SET "searchText" = lower("name" || char(10) || "command" || char(10) || "remark");

-- CreateIndex
CREATE INDEX "Task_nextRunAtMs_id_idx" ON "Task"("nextRunAtMs", "id");

-- CreateIndex
CREATE INDEX "Task_createdAt_id_idx" ON "Task"("createdAt", "id");

-- SQLite only, not in the Prisma schema (MySQL cannot index a TEXT column whole, and InnoDB pages
-- by its primary key anyway): narrow covering indexes, so a search reads searchText without the
-- rest of each row, and a deep page in id order skips index entries instead of whole rows.
CREATE INDEX "Task_searchText_idx" ON "Task"("searchText");
CREATE INDEX "Task_id_idx" ON "Task"("id");

-- SQLite only, like the indexes above: a trigram index over searchText (FTS5, kept by triggers), so
-- a search of 3 or more characters reads the few rows that hold every trigram of it instead of
-- scanning; the app still checks each of them with LIKE, so the rule stays byte-wise A-Z folding.
CREATE VIRTUAL TABLE "Task_search" USING fts5("searchText", content='Task', content_rowid='id', tokenize='trigram');
INSERT INTO "Task_search"("Task_search") VALUES ('rebuild');
CREATE TRIGGER "Task_search_insert" AFTER INSERT ON "Task" BEGIN
    INSERT INTO "Task_search"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
CREATE TRIGGER "Task_search_delete" AFTER DELETE ON "Task" BEGIN
    INSERT INTO "Task_search"("Task_search", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
END;
CREATE TRIGGER "Task_search_update" AFTER UPDATE OF "searchText" ON "Task" BEGIN
    INSERT INTO "Task_search"("Task_search", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
    INSERT INTO "Task_search"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
