-- CreateIndex
-- Each instance polls for tasks changed since its last look (engine task sync, every 5 s).
CREATE INDEX `Task_updatedAt_idx` ON `Task`(`updatedAt`);
