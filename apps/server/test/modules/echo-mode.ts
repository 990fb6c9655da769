import { defineMode, failed, succeeded } from "@crondeck/executor";
import { Type } from "typebox";

// A toy task mode, in one file, for test/modules.test.ts: it proves a mode is one module. ECHO
// writes its text a number of times; a text holding "fail" fails. The token is write-only.

type EchoSettings = {
  echoText: string;
  echoTimes: number | string;
  echoToken: string | null;
};

export const echoMode = defineMode<EchoSettings>({
  name: "ECHO",
  label: { en: "Echo", zh: "回声" },
  isolation: "inline",
  executorGroupHint: { en: "Any executor can echo.", zh: "任何执行器都能回声。" },
  fields: {
    echoText: Type.String({ maxLength: 200, description: "ECHO: the text written" }),
    // A number or its text, as a form's select sends it.
    echoTimes: Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.String({ pattern: "^[1-5]$" })], {
      description: "ECHO: how many times, 1–5",
    }),
    echoToken: Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: "ECHO: write-only" }),
  },
  empty: { echoText: "", echoTimes: 1, echoToken: null },
  secrets: { echoToken: { kind: "writeOnly" } },
  normalize(given, { fail }) {
    const echoText = given.echoText ?? "";
    if (echoText.trim() === "") fail("echoText", "must not be blank", "BLANK");
    return { echoText, echoTimes: Number(given.echoTimes ?? 1), echoToken: given.echoToken || null };
  },
  searchText: (settings) => settings.echoText,
  async run(settings, attempt) {
    const out = attempt.sink.stream();
    for (let i = 0; i < Number(settings.echoTimes); i++) out.write(Buffer.from(`${settings.echoText}\n`));
    out.end();
    if (settings.echoText.includes("fail")) return failed("the text asked to fail");
    return succeeded({ exitCode: 0 });
  },
  form: [
    { name: "echoText", kind: "text", required: true, label: { en: "Text", zh: "文本" } },
    {
      name: "echoTimes",
      kind: "select",
      label: { en: "Times", zh: "次数" },
      options: ["1", "2", "3", "4", "5"].map((n) => ({ value: n, label: { en: n, zh: n } })),
    },
    { name: "echoToken", kind: "secret", label: { en: "Token", zh: "令牌" } },
  ],
});
