import type { Task } from "@crondeck/api-client";
import { describe, expect, it } from "vitest";
import { META } from "../../../test/meta.ts";
import { runParameterFields, toRunParameters } from "./run-parameters.ts";

const base = { httpHeaders: {}, httpBody: null, env: {} } as unknown as Task;
const post = { ...base, mode: "HTTP", httpMethod: "POST" } as unknown as Task;
const get = { ...base, mode: "HTTP", httpMethod: "GET" } as unknown as Task;
const shell = { ...base, mode: "SHELL" } as unknown as Task;

describe("run parameters", () => {
  it("offers the fields the task's mode declares in meta, as they apply to the saved task", () => {
    expect(runParameterFields(post, META).map((f) => f.name)).toEqual(["httpHeaders", "httpBody"]);
    // The body shows only for POST (the form's showWhen), as the server allows it only then.
    expect(runParameterFields(get, META).map((f) => f.name)).toEqual(["httpHeaders"]);
    expect(runParameterFields(shell, META)).toEqual([]);
    expect(runParameterFields(post, undefined)).toEqual([]);
  });

  it("builds the body from the rows and fields, leaving blank ones out", () => {
    const fields = runParameterFields(post, META);
    const { body, problems } = toRunParameters(
      {
        env: [
          { name: " REGION ", value: "eu west" },
          { name: "", value: "" },
        ],
        fields: { httpHeaders: "X-Trace: abc\n\nAuthorization: Bearer ${secret:T}", httpBody: "" },
      },
      fields,
    );
    expect(problems).toEqual([]);
    expect(body).toEqual({
      env: { REGION: "eu west" },
      httpHeaders: { "X-Trace": "abc", Authorization: "Bearer ${secret:T}" },
    });
    expect(toRunParameters({ env: [{ name: "", value: "" }], fields: {} }, fields).body).toEqual({});
  });

  it("names the rows and lines the server would refuse", () => {
    const fields = runParameterFields(post, META);
    const { problems } = toRunParameters(
      {
        env: [
          { name: "1BAD", value: "x" },
          { name: "OK", value: "1" },
          { name: "OK", value: "2" },
          { name: "CRONDECK_RUN_ID", value: "3" },
        ],
        fields: { httpHeaders: "no colon here" },
      },
      fields,
    );
    expect(problems).toEqual([
      { at: "env", row: 0, key: "runParams.envName" },
      { at: "env", row: 2, key: "runParams.envTwice" },
      { at: "env", row: 3, key: "runParams.envName" },
      { at: "field", field: "httpHeaders", key: "runParams.badLines", lines: "1" },
    ]);
  });
});
