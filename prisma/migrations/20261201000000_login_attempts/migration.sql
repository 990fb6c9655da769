-- CreateTable
-- Sign-in attempts, counted in the database before the password is checked (login limits).
CREATE TABLE `LoginAttempt` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `bucket` VARCHAR(100) NOT NULL,
    `at` DATETIME(3) NOT NULL,

    INDEX `LoginAttempt_bucket_at_idx`(`bucket`, `at`),
    INDEX `LoginAttempt_at_idx`(`at`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
