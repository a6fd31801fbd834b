/** Builds the real app (runtime, outbox, HTTP server) on a test database, with quiet logs. */
import { Writable } from 'node:stream';
import { createApp, type App, type AppOptions } from '../../server/app.js';
import { loadConfig } from '../../core/config.js';
import type { Database } from '../../core/db/client.js';
import type { InboundMessage } from '../../core/messages/types.js';
import { createLogger } from '../../core/logging.js';
import { createTestDatabase } from './db.js';
import { pseudonymFor } from '../../core/privacy/pseudonym.js';

export interface TestApp extends App {
  logLines: string[];
}

export async function createTestApp(options: AppOptions & { env?: Record<string, string>; database?: Database } = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...options.env });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const app = await createApp(config, {
    channelModules: [],
    ...options,
    logger: options.logger ?? createLogger(config.LOG_LEVEL, sink),
    database: options.database ?? (await createTestDatabase()),
  });
  return Object.assign(app, { logLines });
}

let counter = 0;

/** A canonical inbound text message from one test user. */
export function textFrom(user: string, text: string, channel = 'test', id = `m${++counter}-${Date.now()}`): InboundMessage {
  return { channel, externalUserId: user, externalMessageId: id, kind: 'text', payload: { text } };
}

export function choiceFrom(user: string, choiceId: string, channel = 'test', id = `c${++counter}-${Date.now()}`): InboundMessage {
  return { channel, externalUserId: user, externalMessageId: id, kind: 'choice', payload: { choiceId } };
}

/** The latest conversation of a platform user, found the way the product finds it: by pseudonym. */
export async function conversationOfUser(app: App, channel: string, externalUserId: string) {
  const userHash = pseudonymFor(app.keys.pseudonymKey, channel, externalUserId);
  const identity = await app.database.prisma.channelIdentity.findUnique({ where: { channel_userHash: { channel, userHash } } });
  return identity ? app.database.prisma.conversation.findFirst({ where: { identityId: identity.id }, orderBy: { createdAt: 'desc' } }) : null;
}
