/**
 * The counsellor and supervisor console: REST API under /console/api, a WebSocket at /console/ws,
 * and the page at /console. Roles: counsellor (queue, chats), supervisor (+ reports, dashboard,
 * directory, others' chats), admin (+ staff accounts).
 */
import type { ReportKeys } from '../core/reports/crypto.js';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db/client.js';
import type { EventBus } from '../core/events/bus.js';
import type { Metrics } from '../core/metrics.js';
import type { QueueDeps } from '../core/queue/operations.js';
import type { Runtime } from '../core/runtime/handle-turn.js';
import type { ChannelPort } from '../core/messages/types.js';
import { makeGuard } from './auth/guard.js';
import { liveRoutes } from './live.js';
import { pageRoutes } from './pages.js';
import { authRoutes, bootstrapAdmin } from './routes/auth.js';
import { queueRoutes } from './routes/queue.js';
import { recordRoutes } from './routes/records.js';
import { labelRoutes } from './routes/labels.js';
import { boardRoutes } from './routes/board.js';
import { chatContextRoutes } from './routes/chat-context.js';
import { channelRoutes } from './routes/channels.js';
import { teamRoutes } from './routes/team.js';
import { reportMessageRoutes } from './routes/report-messages.js';
import { deliveryRoutes } from './routes/deliveries.js';

export interface ConsoleDeps {
  config: Config;
  db: Db;
  bus: EventBus;
  queue: QueueDeps;
  runtime: Runtime;
  metrics: Metrics;
  encryptionKey: ReportKeys;
  /** Signs device cookies (console/auth/device.ts). */
  tokenKey: Buffer;
  ports: Map<string, ChannelPort>;
  /** Which channels are on (server/app.ts), for the admins' channel health view. */
  channels?: () => Record<string, boolean>;
}

export async function registerConsole(server: FastifyInstance, deps: ConsoleDeps): Promise<{ close(): void; adminCreated: boolean }> {
  const adminCreated = await bootstrapAdmin(deps.db, deps.config.CONSOLE_ADMIN_EMAIL, deps.config.CONSOLE_ADMIN_PASSWORD);
  await server.register(cookie);
  if (!server.hasDecorator('websocketServer')) await server.register(websocket);
  const guard = makeGuard(deps.db);
  let stopLive = () => {};
  await server.register(async (scope) => {
    authRoutes(scope, {
      db: deps.db,
      guard,
      secureCookies: deps.config.PUBLIC_URL?.startsWith('https:') ?? false,
      tokenKey: deps.tokenKey,
      encryptionKey: deps.encryptionKey,
      bus: deps.bus,
      alertPerMinute: deps.config.LOGIN_ALERT_PER_MINUTE,
      logger: server.log,
    });
    queueRoutes(scope, { db: deps.db, queue: deps.queue, runtime: deps.runtime, guard, metrics: deps.metrics, encryptionKey: deps.encryptionKey, ports: deps.ports });
    recordRoutes(scope, { db: deps.db, guard, encryptionKey: deps.encryptionKey });
    labelRoutes(scope, { db: deps.db, guard });
    boardRoutes(scope, { db: deps.db, queue: deps.queue, guard });
    chatContextRoutes(scope, { db: deps.db, guard });
    channelRoutes(scope, { db: deps.db, guard, config: deps.config, channels: deps.channels ?? (() => ({ ...Object.fromEntries([...deps.ports.keys()].map((k) => [k, true])) })) });
    reportMessageRoutes(scope, { db: deps.db, bus: deps.bus, guard });
    deliveryRoutes(scope, { db: deps.db, bus: deps.bus, guard, ...(deps.queue.kickOutbox ? { kickOutbox: deps.queue.kickOutbox } : {}) });
    teamRoutes(scope, { db: deps.db, queue: deps.queue, guard, metrics: deps.metrics, offerSeconds: deps.config.HANDOFF_OFFER_SECONDS });
    stopLive = liveRoutes(scope, { db: deps.db, bus: deps.bus });
    pageRoutes(scope);
  });
  return { close: () => stopLive(), adminCreated };
}
