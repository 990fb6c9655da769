import { isEmailAddress, parseList } from "@crondeck/core";
import { Type } from "typebox";
import { defineChannel } from "../channel.ts";
import { sendRunEmail } from "../smtp.ts";

// EMAIL: one message to a list of addresses through the app's SMTP server (SMTP_URL).

type EmailSettings = {
  notifyEmails: string[];
};

/** Trimmed, without blanks, each address once (case-insensitively), in the order given. */
function recipients(emails: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of emails) {
    const email = raw.trim();
    if (email && !seen.has(email.toLowerCase())) {
      seen.add(email.toLowerCase());
      out.push(email);
    }
  }
  return out;
}

export const emailChannel = defineChannel<EmailSettings>({
  name: "EMAIL",
  label: { en: "Email", zh: "邮件" },
  fields: {
    notifyEmails: Type.Union(
      [Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 }), Type.String({ maxLength: 32_768 })],
      { description: "addresses, as an array or one string split on `,` or `，`" },
    ),
  },
  empty: { notifyEmails: [] },
  normalize(given, { fail, required }) {
    const emails = parseList(given.notifyEmails as string[] | string | undefined);
    emails.forEach((email, i) => {
      if (!isEmailAddress(email))
        fail(`notifyEmails[${i}]`, `is not a valid email address: ${email}`, "EMAIL", { value: email });
    });
    if (emails.length > 50) fail("notifyEmails", "must have at most 50 addresses", "MAX_ITEMS", { limit: 50 });
    if (required && emails.length === 0)
      fail("notifyEmails", "needs at least one address when notifyChannel is EMAIL", "REQUIRED_WHEN", {
        field: "notifyChannel",
        value: "EMAIL",
      });
    return { notifyEmails: emails };
  },
  describeTarget: (settings) => recipients(settings.notifyEmails).join(", "),
  send: (settings, run, config) => sendRunEmail(recipients(settings.notifyEmails), run, config),
  form: [
    {
      name: "notifyEmails",
      required: true,
      kind: "list",
      label: { en: "Email addresses", zh: "邮箱地址" },
      hint: { en: "Separate with a comma (, or ，).", zh: "用逗号分隔（, 或 ，）。" },
      placeholder: "ops@example.com, 值班@example.cn",
    },
  ],
});
