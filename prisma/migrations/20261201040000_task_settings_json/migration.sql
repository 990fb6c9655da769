-- Task modes and notification channels are modules (issue 16): each one's fields move from columns
-- of their own into one JSON value per task, so a new mode or channel needs no schema change.
--
-- modeSettings: the fields of the task's mode (SHELL: command; HTTP: command, httpMethod,
-- httpHeaders, httpBody). notifySettings: every channel's fields keyed by channel name, as the
-- columns held them whichever channel was chosen. JSON_EXTRACT(x, '$') nests the stored JSON text
-- as JSON, not as a string, on MySQL and MariaDB alike.
ALTER TABLE `Task`
    ADD COLUMN `modeSettings` MEDIUMTEXT NULL,
    ADD COLUMN `notifySettings` TEXT NULL;

UPDATE `Task` SET
    `modeSettings` = CASE WHEN `mode` = 'HTTP'
        THEN JSON_OBJECT(
            'command', `command`,
            'httpMethod', `httpMethod`,
            'httpHeaders', JSON_EXTRACT(`httpHeaders`, '$'),
            'httpBody', `httpBody`)
        ELSE JSON_OBJECT('command', `command`) END,
    `notifySettings` = JSON_OBJECT(
        'EMAIL', JSON_OBJECT('notifyEmails', JSON_EXTRACT(`notifyEmails`, '$')),
        'WEBHOOK', JSON_OBJECT(
            'notifyWebhookUrl', `notifyWebhookUrl`,
            'notifyWebhookFormat', `notifyWebhookFormat`,
            'notifyWebhookSecret', `notifyWebhookSecret`));

ALTER TABLE `Task`
    MODIFY `mode` VARCHAR(16) NOT NULL,
    MODIFY `modeSettings` MEDIUMTEXT NOT NULL,
    MODIFY `notifySettings` TEXT NOT NULL,
    DROP COLUMN `httpMethod`,
    DROP COLUMN `command`,
    DROP COLUMN `httpHeaders`,
    DROP COLUMN `httpBody`,
    DROP COLUMN `notifyEmails`,
    DROP COLUMN `notifyWebhookUrl`,
    DROP COLUMN `notifyWebhookFormat`,
    DROP COLUMN `notifyWebhookSecret`;
