-- Task dependencies: a task started by the end of other tasks' fires (trigger DEPENDENCY).
ALTER TABLE "Task" ADD COLUMN "dependsOnAll" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Run" ADD COLUMN "triggeredByRunId" INTEGER;

-- CreateTable
CREATE TABLE "TaskDependency" (
    "taskId" INTEGER NOT NULL,
    "upstreamTaskId" INTEGER NOT NULL,
    "on" TEXT NOT NULL,

    PRIMARY KEY ("taskId", "upstreamTaskId"),
    CONSTRAINT "TaskDependency_upstreamTaskId_fkey" FOREIGN KEY ("upstreamTaskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "TaskDependency_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "TaskDependency_upstreamTaskId_idx" ON "TaskDependency"("upstreamTaskId");
