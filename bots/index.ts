/** The messaging channels the server can run. Each is on only when its credentials are configured. */
import type { ChannelModule } from '../core/channels.js';
import { directLineModule } from './directline/index.js';
import { lineModule } from './line/index.js';
import { telegramModule } from './telegram/index.js';
import { zaloModule } from './zalo/index.js';

/** Bot Framework (botbuilder: ~50 MB) is loaded only when it is configured. */
const botFrameworkModule: ChannelModule = {
  name: 'botframework',
  enabled: (config) => Boolean(config.MICROSOFT_APP_ID),
  start: async (ctx) => (await import('./botframework/index.js')).botFrameworkModule.start(ctx),
};

export const channelModules: ChannelModule[] = [telegramModule, lineModule, zaloModule, directLineModule, botFrameworkModule];
