/** The messaging channels the server can run. Each is on only when its credentials are configured. */
import type { ChannelModule } from '../core/channels.js';
import { botFrameworkModule } from './botframework/index.js';
import { directLineModule } from './directline/index.js';
import { lineModule } from './line/index.js';
import { telegramModule } from './telegram/index.js';
import { zaloModule } from './zalo/index.js';

export const channelModules: ChannelModule[] = [telegramModule, lineModule, zaloModule, directLineModule, botFrameworkModule];
