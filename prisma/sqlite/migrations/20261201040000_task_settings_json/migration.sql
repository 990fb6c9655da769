-- Task modes and notification channels are modules (issue 16): each one's fields move from columns
-- of their own into one JSON value per task, so a new mode or channel needs no schema change.
--
-- modeSettings: the fields of the task's mode (SHELL: command; HTTP: command, httpMethod,
-- httpHeaders, httpBody). notifySettings: every channel's fields keyed by channel name, as the
-- columns held them whichever channel was chosen. json(x) nests the stored JSON text as JSON.
-- SQLite adds a NOT NULL column only with a default; the app writes both with every task.
ALTER TABLE "Task" ADD COLUMN "modeSettings" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "Task" ADD COLUMN "notifySettings" TEXT NOT NULL DEFAULT '{}';

UPDATE "Task" SET
    "modeSettings" = CASE WHEN "mode" = 'HTTP'
        THEN json_object(
            'command', "command",
            'httpMethod', "httpMethod",
            'httpHeaders', json("httpHeaders"),
            'httpBody', "httpBody")
        ELSE json_object('command', "command") END,
    "notifySettings" = json_object(
        'EMAIL', json_object('notifyEmails', json("notifyEmails")),
        'WEBHOOK', json_object(
            'notifyWebhookUrl', "notifyWebhookUrl",
            'notifyWebhookFormat', "notifyWebhookFormat",
            'notifyWebhookSecret', "notifyWebhookSecret"));

ALTER TABLE "Task" DROP COLUMN "httpMethod";
ALTER TABLE "Task" DROP COLUMN "command";
ALTER TABLE "Task" DROP COLUMN "httpHeaders";
ALTER TABLE "Task" DROP COLUMN "httpBody";
ALTER TABLE "Task" DROP COLUMN "notifyEmails";
ALTER TABLE "Task" DROP COLUMN "notifyWebhookUrl";
ALTER TABLE "Task" DROP COLUMN "notifyWebhookFormat";
ALTER TABLE "Task" DROP COLUMN "notifyWebhookSecret";
