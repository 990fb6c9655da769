import { ModuleRegistry, type Settings, type SettingsModule } from "@crondeck/core";
import type { NotifyConfig, RunSummary } from "./types.ts";

/**
 * A notification channel: the task fields it owns and how they are checked, masked and shown
 * (SettingsModule), and how a message reaches its target. Adding a channel is one module and a line
 * in BUILT_IN_CHANNELS (or `buildApp({ channels })`); nothing else branches on its name.
 */
export interface NotifyChannelModule<S extends Settings = Settings> extends SettingsModule<S> {
  /** Who receives it, for the run page and the log: never a secret (tokens masked). */
  describeTarget(settings: S): string;
  /**
   * Sends one message about the run. Throws DeliveryError (retryable or not) when it was not
   * accepted; may return a note for the run page (e.g. recipients the server refused).
   */
  send(settings: S, run: RunSummary, config: NotifyConfig): Promise<string | null>;
}

/** Types a channel's settings inside its own module, then erases them for the registry. */
export function defineChannel<S extends Settings>(module: NotifyChannelModule<S>): NotifyChannelModule {
  return module as unknown as NotifyChannelModule;
}

/** The notification channels a process knows, by name. */
export type ChannelRegistry = ModuleRegistry<NotifyChannelModule>;

export function channelRegistry(modules: readonly NotifyChannelModule[]): ChannelRegistry {
  return new ModuleRegistry(modules, "notification channel");
}
