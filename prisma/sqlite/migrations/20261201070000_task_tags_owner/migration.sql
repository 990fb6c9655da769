-- Tags and an owner on tasks, and the task list's filters by them.
--
-- owner: free text (a person, a team), matched exactly by the list's owner filter.
-- tags: the task's tags as given, a JSON array, read with the task; TaskTag holds them again, one
-- row each, under their lower-cased key, so the tag filter and the tag counts read an index.
-- Existing tasks have no owner and no tags, so their searchText stays as it is.
ALTER TABLE "Task" ADD COLUMN "owner" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Task" ADD COLUMN "tags" TEXT NOT NULL DEFAULT '[]';

-- CreateIndex
CREATE INDEX "Task_owner_id_idx" ON "Task"("owner", "id");

-- CreateTable
CREATE TABLE "TaskTag" (
    "taskId" INTEGER NOT NULL,
    "tagKey" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    PRIMARY KEY ("taskId", "tagKey"),
    CONSTRAINT "TaskTag_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "TaskTag_tagKey_taskId_idx" ON "TaskTag"("tagKey", "taskId");
