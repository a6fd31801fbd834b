/**
 * A channel module on the app's own HTTP server (buildHttpServer: its error format and body
 * handling), behind a runtime that only records the turns it is handed: a refused request hands
 * none. Requests go through Fastify inject.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { ChannelHandle, ChannelModule } from '../../core/channels.js';
import { loadConfig } from '../../core/config.js';
import type { Db } from '../../core/db/client.js';
import { InMemoryEventBus } from '../../core/events/bus.js';
import { buildHttpServer } from '../../core/http/server.js';
import { createLogger } from '../../core/logging.js';
import type { InboundMessage } from '../../core/messages/types.js';
import type { Runtime } from '../../core/runtime/handle-turn.js';

export interface Harness {
  server: FastifyInstance;
  handle: ChannelHandle;
  turns: InboundMessage[];
  /** The next turn handed to the runtime fails with this error (a failing database, a bug). */
  failNextTurn(error: Error): void;
  logs: () => Record<string, unknown>[];
  post(path: string, body: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startChannel(module: ChannelModule, env: Record<string, string>): Promise<Harness> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000', ...env });
  expect(module.enabled(config)).toBe(true);
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const server = buildHttpServer(logger);
  const turns: InboundMessage[] = [];
  let failure: Error | undefined;
  const runtime = {
    handleTurn: async (m: InboundMessage) => {
      const error = failure;
      failure = undefined;
      if (error) throw error;
      turns.push(m);
    },
  } as unknown as Runtime;
  const handle = await module.start({ config, runtime, db: {} as Db, bus: new InMemoryEventBus(), logger, server, tokenKey: Buffer.alloc(32, 7), channels: () => ({}), welcome: () => [] });
  await server.ready();
  return {
    server,
    handle,
    turns,
    failNextTurn: (error) => void (failure = error),
    logs: () => lines.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    async post(path, body, headers = {}) {
      const res = await server.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': 'application/json', ...headers } });
      return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : '' };
    },
    async close() {
      await handle.stop?.();
      await server.close();
    },
  };
}

