/** The messaging channels the server can run. Each is on only when its credentials are configured. */
import type { ChannelModule } from '../core/channels.js';

export const channelModules: ChannelModule[] = [];
