import {
  type Fail,
  isEmptyValue,
  restoreSecrets,
  SECRET_MASK,
  type Settings,
  type SettingsModule,
  settingsView,
} from "@crondeck/core";
import type { TaskRow } from "@crondeck/db";
import { BUILT_IN_MODES, type ModeRegistry, modeRegistry, type TaskModeModule } from "@crondeck/executor";
import {
  BUILT_IN_CHANNELS,
  type ChannelRegistry,
  channelRegistry,
  type NotificationTarget,
  type NotifyChannelModule,
} from "@crondeck/notify";
import { type TSchema, Type } from "typebox";

// The one place the app meets task modes and notification channels: it composes their fields into
// the task's API shape, stores their settings as JSON, and hands them what they need. Nothing here
// or elsewhere in the app knows a mode or channel by name; each module says what its fields are.

/** What a task stores for its mode and channels, and what the task list searches. */
export interface StoredSettings {
  modeSettings: string;
  notifySettings: string;
  /** The mode's searchable text (a command, a URL). */
  modeText: string;
}

/** The modes and channels this app was built with (built-ins, plus a deployment's or a test's own). */
export class TaskModules {
  readonly modes: ModeRegistry;
  readonly channels: ChannelRegistry;

  constructor(extra: { modes?: readonly TaskModeModule[]; channels?: readonly NotifyChannelModule[] } = {}) {
    this.modes = modeRegistry([...BUILT_IN_MODES, ...(extra.modes ?? [])]);
    this.channels = channelRegistry([...BUILT_IN_CHANNELS, ...(extra.channels ?? [])]);
  }

  #all(): SettingsModule[] {
    return [...this.modes.all(), ...this.channels.all()];
  }

  /**
   * The task fields the modules own, as the API takes them (every one optional: which apply depends
   * on the mode and channel). Modules sharing a field name share the first one's schema. `modules`:
   * all by default; the test message takes the channels' only.
   */
  inputFields(modules: readonly SettingsModule[] = this.#all()): Record<string, TSchema> {
    const fields: Record<string, TSchema> = {};
    for (const module of modules) {
      for (const [name, schema] of Object.entries(module.fields)) {
        if (!fields[name]) fields[name] = Type.Optional(schema);
      }
    }
    return fields;
  }

  /** The task fields the modules own, as the API returns them: write-only ones become `<field>Set`. */
  viewFields(): Record<string, TSchema> {
    const fields: Record<string, TSchema> = {};
    for (const module of this.#all()) {
      for (const [name, schema] of Object.entries(module.fields)) {
        const rule = module.secrets?.[name];
        if (rule?.kind === "writeOnly")
          fields[`${name}Set`] = Type.Boolean({ description: `whether ${name} is stored (it is never returned)` });
        else fields[name] ??= schema;
      }
    }
    return fields;
  }

  modeSettings(row: Pick<TaskRow, "modeSettings">): Settings {
    return JSON.parse(row.modeSettings) as Settings;
  }

  #notifySettings(row: Pick<TaskRow, "notifySettings">): Record<string, Settings> {
    return JSON.parse(row.notifySettings) as Record<string, Settings>;
  }

  /** The module-owned fields of a stored task as every reader sees them (secrets masked or hidden). */
  view(row: Pick<TaskRow, "mode" | "modeSettings" | "notifySettings">): Settings {
    return this.#fields(row, settingsView);
  }

  /** The module-owned fields of a stored task as stored, secrets included: for comparing, never for readers. */
  stored(row: Pick<TaskRow, "mode" | "modeSettings" | "notifySettings">): Settings {
    return this.#fields(row, (_module, settings) => settings);
  }

  #fields(
    row: Pick<TaskRow, "mode" | "modeSettings" | "notifySettings">,
    show: (module: SettingsModule, settings: Settings) => Settings,
  ): Settings {
    const fields: Settings = {};
    // Fields of the other modes read as their empty values; the task's own mode goes last.
    for (const mode of this.modes.all()) if (mode.name !== row.mode) Object.assign(fields, show(mode, mode.empty));
    const mode = this.modes.get(row.mode);
    if (mode) Object.assign(fields, show(mode, { ...mode.empty, ...this.modeSettings(row) }));
    const stored = this.#notifySettings(row);
    for (const channel of this.channels.all())
      Object.assign(fields, show(channel, { ...channel.empty, ...stored[channel.name] }));
    return fields;
  }

  /** The write-only fields of every module: no reader sees them; a form or a file omits them to keep them. */
  writeOnlyFields(): Set<string> {
    const fields = new Set<string>();
    for (const module of this.#all())
      for (const [name, rule] of Object.entries(module.secrets ?? {})) if (rule?.kind === "writeOnly") fields.add(name);
    return fields;
  }

  /**
   * Checks the module-owned fields of a task input and returns what to store. `previous` is the
   * stored task of an edit: secrets the client could not send back are taken from it.
   */
  normalize(
    input: Settings & { mode: string; notifyChannel?: string | null },
    notifies: boolean,
    previous: Pick<TaskRow, "mode" | "modeSettings" | "notifySettings"> | undefined,
    fail: Fail,
  ): StoredSettings {
    const mode = this.modes.get(input.mode);
    let modeSettings: Settings = {};
    let modeText = "";
    if (!mode) {
      fail("mode", `must be one of ${this.modes.names.join(", ")}`, "ONE_OF", { values: this.modes.names.join(", ") });
    } else {
      // A field only other modes own must not carry a value: it would be stored nowhere. Checked
      // once per field, however many modes own it.
      const others = new Map<string, string[]>();
      for (const other of this.modes.all())
        for (const name of Object.keys(other.fields))
          if (!(name in mode.fields) && !isEmptyValue(input[name], other.empty[name]))
            others.set(name, [...(others.get(name) ?? []), other.name]);
      for (const [name, owners] of others)
        fail(name, `is allowed only when mode is ${owners.join(" or ")}`, "ALLOWED_ONLY_WHEN", {
          field: "mode",
          value: owners.join(", "),
        });
      const stored = previous?.mode === mode.name ? this.modeSettings(previous) : undefined;
      const given = restoreSecrets(mode, pick(input, mode.fields), stored, fail);
      modeSettings = mode.normalize(given, { fail, required: true });
      modeText = mode.searchText(modeSettings);
    }

    const storedNotify = previous ? this.#notifySettings(previous) : {};
    const notifySettings: Record<string, Settings> = {};
    for (const channel of this.channels.all()) {
      const given = restoreSecrets(channel, pick(input, channel.fields), storedNotify[channel.name], fail);
      const required = notifies && input.notifyChannel === channel.name;
      notifySettings[channel.name] = channel.normalize(given, { fail, required });
    }
    return { modeSettings: JSON.stringify(modeSettings), notifySettings: JSON.stringify(notifySettings), modeText };
  }

  /**
   * The fields a manual run may override, of every mode that declares some (each optional: which
   * apply depends on the task's mode). Modes sharing a field name share the first one's schema.
   */
  runFields(): Record<string, TSchema> {
    const fields: Record<string, TSchema> = {};
    for (const mode of this.modes.all())
      for (const [name, schema] of Object.entries(mode.runOverrides?.fields ?? {}))
        if (schema && !fields[name]) fields[name] = Type.Optional(schema);
    return fields;
  }

  /**
   * A manual run's overrides of its task's mode fields, checked by the mode: a field the task's mode
   * does not let a run override is refused, naming the modes that do. Returns what the run records
   * and what readers see of it (secret fields masked as the task's own are).
   */
  runOverrides(
    task: Pick<TaskRow, "mode" | "modeSettings">,
    input: Settings,
    fail: Fail,
  ): { given: Settings; view: Settings } {
    const mode = this.modes.get(task.mode);
    const own = mode?.runOverrides?.fields ?? {};
    for (const name of Object.keys(this.runFields())) {
      if (input[name] === undefined || name in own) continue;
      const owners = this.modes
        .all()
        .filter((other) => other.runOverrides?.fields[name])
        .map((other) => other.name);
      fail(name, `is allowed only when mode is ${owners.join(" or ")}`, "ALLOWED_ONLY_WHEN", {
        field: "mode",
        value: owners.join(", "),
      });
    }
    if (!mode?.runOverrides) return { given: {}, view: {} };
    const given = mode.runOverrides.normalize(pick(input, own), {
      fail,
      settings: { ...mode.empty, ...this.modeSettings(task) },
    });
    const view: Settings = {};
    for (const [name, value] of Object.entries(given)) {
      const rule = mode.secrets?.[name];
      view[name] = rule?.kind === "writeOnly" ? SECRET_MASK : rule?.kind === "masked" ? rule.mask(value) : value;
    }
    return { given, view };
  }

  /** The settings an attempt runs with: the task's, with a run's recorded overrides applied by its mode. */
  runSettings(modeName: string, settings: Settings, overrides: Settings): Settings {
    const mode = this.modes.get(modeName);
    if (!mode?.runOverrides || Object.keys(overrides).length === 0) return settings;
    return mode.runOverrides.apply({ ...mode.empty, ...settings }, overrides);
  }

  /** The mode's searchable text of a stored task (a command, a URL). */
  modeText(row: Pick<TaskRow, "mode" | "modeSettings">): string {
    const mode = this.modes.get(row.mode);
    return mode ? mode.searchText({ ...mode.empty, ...this.modeSettings(row) }) : "";
  }

  /** Where a stored task's notifications go, secrets included (for the notifier only). */
  notificationTarget(
    row: Pick<TaskRow, "notifyPolicy" | "notifyChannel" | "notifySettings" | "notifyKeywords">,
  ): NotificationTarget {
    const channel = row.notifyChannel;
    return {
      policy: row.notifyPolicy as NotificationTarget["policy"],
      channel,
      settings: channel === null ? {} : (this.#notifySettings(row)[channel] ?? {}),
      keywords: JSON.parse(row.notifyKeywords) as string[],
    };
  }

  /**
   * The target of a test message from the form's fields: checked as a task's, with a stored task's
   * secrets used only where they are bound to what the form still holds (a signing secret goes only
   * to the task's own webhook URL).
   */
  testTarget(input: Settings & { notifyChannel: string }, task: TaskRow | null, fail: Fail): NotificationTarget {
    const channel = this.channels.get(input.notifyChannel);
    if (!channel) {
      fail("notifyChannel", `must be one of ${this.channels.names.join(", ")}`, "ONE_OF", {
        values: this.channels.names.join(", "),
      });
      return { policy: "ON_END", channel: null, settings: {}, keywords: [] };
    }
    const stored = task ? this.#notifySettings(task)[channel.name] : undefined;
    const given = restoreSecrets(channel, pick(input, channel.fields), stored, fail, { bound: true });
    const settings = channel.normalize(given, { fail, required: true });
    return { policy: "ON_END", channel: channel.name, settings, keywords: [] };
  }
}

function pick(input: Settings, fields: Record<string, unknown>): Settings {
  const out: Settings = {};
  for (const name of Object.keys(fields)) if (input[name] !== undefined) out[name] = input[name];
  return out;
}
