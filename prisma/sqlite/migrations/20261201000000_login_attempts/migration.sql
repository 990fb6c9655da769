-- CreateTable
-- Sign-in attempts, counted in the database before the password is checked (login limits).
CREATE TABLE "LoginAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "bucket" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "LoginAttempt_bucket_at_idx" ON "LoginAttempt"("bucket", "at");

-- CreateIndex
CREATE INDEX "LoginAttempt_at_idx" ON "LoginAttempt"("at");
