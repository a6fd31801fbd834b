/**
 * How a messaging channel plugs into the app: it registers its routes, returns its send port,
 * and may start background work (long polling) once the server listens. Channel code only
 * verifies, translates and renders; every decision is the runtime's.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { EventBus } from './events/bus.js';
import type { ChannelPort, OutboundMessage } from './messages/types.js';
import type { Runtime } from './runtime/handle-turn.js';

export interface ChannelContext {
  config: Config;
  runtime: Runtime;
  db: Db;
  bus: EventBus;
  logger: Logger;
  server: FastifyInstance;
  tokenKey: Buffer;
  /** Which channels are on (for pages that link to them). */
  channels: () => Record<string, boolean>;
  /** The flow's welcome in a language ('vi', 'en', 'en-US'...), rendered without storing anything. */
  welcome: (locale: string | undefined) => OutboundMessage[];
}

export interface ChannelHandle {
  port?: ChannelPort;
  /** Starts background work (e.g. Telegram long polling) after the HTTP server listens. */
  afterListen?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface ChannelModule {
  name: string;
  enabled(config: Config): boolean;
  start(ctx: ChannelContext): Promise<ChannelHandle>;
}
