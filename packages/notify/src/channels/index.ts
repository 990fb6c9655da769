import { channelRegistry, type NotifyChannelModule } from "../channel.ts";
import { emailChannel } from "./email.ts";
import { webhookChannel } from "./webhook.ts";

/** The notification channels every app knows. A new channel is a module here, and this line. */
export const BUILT_IN_CHANNELS: readonly NotifyChannelModule[] = [emailChannel, webhookChannel];

export const builtInChannels = channelRegistry(BUILT_IN_CHANNELS);

export { emailChannel } from "./email.ts";
export { webhookChannel } from "./webhook.ts";
