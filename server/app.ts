/**
 * The composition root: opens the database (migrating it), builds the runtime, the outbox, the
 * HTTP server and every configured channel, and closes them in order on shutdown.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { channelModules as defaultChannelModules } from '../bots/index.js';
import type { ChannelHandle, ChannelModule } from '../core/channels.js';
import type { Config } from '../core/config.js';
import { openDatabase, type Database } from '../core/db/client.js';
import { lockDataDir, type DataDirLock } from '../core/db/data-dir-lock.js';
import { InMemoryEventBus, type EventBus } from '../core/events/bus.js';
import { PgEventBus } from '../core/events/pg-bus.js';
import { startMaintenanceLoop, type MaintenanceLoop } from '../core/db/maintenance.js';
import { registerHealthRoutes } from '../core/http/health.js';
import { buildHttpServer } from '../core/http/server.js';
import { registerRateLimits } from '../core/http/limits.js';
import { registerSecurityHeaders } from '../core/http/security-headers.js';
import { createLogger } from '../core/logging.js';
import type { ChannelPort } from '../core/messages/types.js';
import { createMetrics, type Metrics } from '../core/metrics.js';
import { OutboxDispatcher } from '../core/outbox/dispatcher.js';
import { handleDeadLetters } from '../core/outbox/dead-letters.js';
import { deriveKeys, resolveAppSecret, type AppKeys } from '../core/privacy/secrets.js';
import { encryptAtRest } from '../core/privacy/encrypted-client.js';
import { defaultDetector, type RiskDetector } from '../core/risk/index.js';
import { Runtime } from '../core/runtime/handle-turn.js';
import { applyRetention, startRetentionLoop } from '../core/privacy/retention.js';
import type { EffectHandler } from '../core/runtime/turn-context.js';
import { createDefaultEffects } from '../core/effects.js';
import { seedDirectory } from '../core/directory/index.js';
import type { FlowDefinition, Locale } from '../flows/types.js';
import { DEFAULT_FLOW } from '../flows/index.js';
import { renderWelcome } from '../core/runtime/welcome.js';
import { toLocale } from '../core/i18n/index.js';
import type { QueueDeps } from '../core/queue/operations.js';
import { startSlaLoop, type SlaLoop } from '../core/queue/sla.js';
import { startAssignmentLoop, type AssignmentLoop } from '../core/queue/assign.js';
import { registerConsole } from '../console/index.js';

export interface AppOptions {
  logger?: Logger;
  /** An already open database (tests pass an in-memory PGlite); otherwise one is opened from config. */
  database?: Database;
  channelModules?: ChannelModule[];
  /** Extra send ports (tests, the terminal chat). */
  ports?: ChannelPort[];
  detector?: RiskDetector;
  effects?: Record<string, EffectHandler>;
  /** The conversation flow (default: flows/index.ts DEFAULT_FLOW). */
  flow?: FlowDefinition;
  clock?: () => Date;
  /** With `database`: the embedded database's folder, whose generated app secret to use (default: a fresh one). */
  secretDir?: string;
  /** Seal what people say at rest (default true; benchmarks measure the cost by turning it off). */
  encryptAtRest?: boolean;
}

export interface App {
  config: Config;
  logger: Logger;
  database: Database;
  keys: AppKeys;
  bus: EventBus;
  metrics: Metrics;
  runtime: Runtime;
  /** What the console's queue operations need (core/queue/operations.ts). */
  queue: QueueDeps;
  outbox: OutboxDispatcher;
  server: FastifyInstance;
  ports: Map<string, ChannelPort>;
  channels: Record<string, boolean>;
  /** Starts listening on config.PORT; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const dataDir = config.DATABASE_URL ? null : config.DATA_DIR;
  // One process per embedded data folder (a second one stops with "DATA_DIR is in use by pid N").
  const lock: DataDirLock | null = !options.database && dataDir ? await lockDataDir(dataDir) : null;
  const opened =
    options.database ??
    (await openDatabase(config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE } : { kind: 'pglite', dataDir }, {
      connectTimeoutSeconds: config.DATABASE_CONNECT_TIMEOUT_SECONDS,
      onRetry: ({ attempt, nextDelayMs, code }) => logger.warn({ attempt, nextDelayMs, code }, 'database not reachable yet; retrying'),
    }).catch(async (err: unknown) => {
      await lock?.release();
      throw err;
    }));
  // The secret lives with the embedded database it keys (a given database may name its folder: restarts in tests).
  const keys = deriveKeys(resolveAppSecret({ appSecret: config.APP_SECRET, dataDir: options.database ? (options.secretDir ?? null) : dataDir }), config.DATA_KEYS);
  // Everything else reads and writes through a client that seals what people say at rest.
  const database: Database = options.encryptAtRest === false ? opened : { ...opened, prisma: encryptAtRest(opened.prisma, keys.dataKeys) };
  // The service directory starts from prisma/seed/directory.json; only missing entries are added (staff edits stay).
  await seedDirectory(database.prisma);
  // Instances sharing PostgreSQL share events through LISTEN/NOTIFY; the embedded database has one process.
  const bus: EventBus = database.kind === 'postgres' && database.url ? new PgEventBus({ connectionString: database.url, logger: logger.child({ component: 'bus' }) }) : new InMemoryEventBus();
  if (bus instanceof PgEventBus) await bus.start();
  const metrics = createMetrics();
  const ports = new Map<string, ChannelPort>();
  for (const port of options.ports ?? []) ports.set(port.channel, port);

  let lastCallForHelp = 0;
  const outbox = new OutboxDispatcher({
    db: database.prisma,
    ports,
    logger: logger.child({ component: 'outbox' }),
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    dataKeys: keys.dataKeys,
    concurrency: config.OUTBOX_CONCURRENCY,
    leaseMs: config.OUTBOX_LEASE_MS,
    onWrites: (rows) => maintenance?.noteWrites(rows),
    ...(options.clock ? { clock: options.clock } : {}),
    onSent: (channel) => metrics.outboxSent.inc({ channel }),
    onFailed: (channel, code) => metrics.outboxFailed.inc({ channel, code }),
    // Failed for good: visible in the console, and a counsellor looks when it was emergency guidance or their reply.
    onDeadLetters: (failed) => handleDeadLetters({ db: database.prisma, bus, slaSeconds: config.HANDOFF_SLA_SECONDS, ...(options.clock ? { clock: options.clock } : {}) }, failed),
  });

  const runtime = new Runtime({
    db: database.prisma,
    pseudonymKey: keys.pseudonymKey,
    dataKeys: keys.dataKeys,
    detector: options.detector ?? defaultDetector,
    bus,
    riskHandoffLevel: config.RISK_HANDOFF_LEVEL,
    slaSeconds: config.HANDOFF_SLA_SECONDS,
    defaultLocale: config.DEFAULT_LOCALE,
    effects: { ...createDefaultEffects({ keys }), ...(options.effects ?? {}) },
    ...(options.flow ? { flow: options.flow } : {}),
    onOutbound: (conversationId) => {
      outbox.kick();
      // Busy here: let the other instances help with the backlog (at most 4 calls for help a second).
      if (outbox.saturated && Date.now() - lastCallForHelp > 250) {
        lastCallForHelp = Date.now();
        bus.publish({ type: 'outbox.pending', conversationId });
      }
    },
    onTurn: (channel, status, seconds) => {
      metrics.turns.inc({ channel, status });
      metrics.turnSeconds.observe({ channel }, seconds);
      maintenance?.noteWrites(3);
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });

  const queue: QueueDeps = { db: database.prisma, bus, kickOutbox: () => outbox.kick(), ...(options.clock ? { clock: options.clock } : {}) };
  let sla: SlaLoop | undefined;
  let assignment: AssignmentLoop | undefined;
  bus.subscribe((event, origin) => {
    // Fair assignment looks again when a chat arrives or frees up, or a counsellor's availability changes.
    if (['handoff.created', 'handoff.updated', 'staff.availability', 'handoff.offer_ended'].includes(event.type)) assignment?.wake();
    // Wake on events from any instance instead of waiting for the next poll.
    if (event.type === 'outbox.pending' || event.type === 'bus.resync') outbox.kick();
    if (event.type === 'handoff.created') sla?.wakeAt(new Date(Date.now() + config.HANDOFF_SLA_SECONDS * 1000));
    // Counted where they happened, so the fleet's metrics add up.
    if (event.type === 'handoff.created' && !origin.remote) metrics.handoffs.inc({ priority: String(event.priority) });
    if (event.type === 'handoff.created' || event.type === 'handoff.updated') {
      void database.prisma.handoff.count({ where: { state: 'waiting' } }).then((n) => metrics.queueWaiting.set(n), () => {});
    }
  });

  const welcome = (locale: string | undefined) => renderWelcome(options.flow ?? DEFAULT_FLOW, (toLocale(locale) ?? config.DEFAULT_LOCALE) as Locale, { languageKnown: !!toLocale(locale) });
  const server = buildHttpServer(logger, { trustProxy: config.TRUST_PROXY });
  await registerRateLimits(server);
  await registerSecurityHeaders(server, { https: config.PUBLIC_URL?.startsWith('https:') ?? false });
  const channels: Record<string, boolean> = {};
  const handles: ChannelHandle[] = [];
  for (const module of options.channelModules ?? defaultChannelModules) {
    channels[module.name] = module.enabled(config);
    if (!channels[module.name]) continue;
    const handle = await module.start({ config, runtime, db: database.prisma, bus, logger: logger.child({ channel: module.name }), server, tokenKey: keys.tokenKey, channels: () => channels, welcome });
    if (handle.port) ports.set(handle.port.channel, handle.port);
    handles.push(handle);
  }
  const consoleApp = await registerConsole(server, { config, db: database.prisma, bus, queue, runtime, metrics, encryptionKey: keys.encryptionKey, tokenKey: keys.tokenKey, ports, channels: () => channels });
  if (consoleApp.adminCreated) logger.info('console: first admin account created from CONSOLE_ADMIN_EMAIL');
  registerHealthRoutes(server, {
    database,
    channels: () => channels,
    metrics,
    metricsEnabled: config.METRICS_ENABLED,
    startedAt: new Date(),
    ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
    metricsOpen: config.NODE_ENV !== 'production',
  });

  let stopRetention: (() => void) | undefined;
  let maintenance: MaintenanceLoop | undefined;
  let closed: Promise<void> | undefined;
  return {
    config,
    logger,
    database,
    keys,
    bus,
    metrics,
    runtime,
    queue,
    outbox,
    server,
    ports,
    channels,
    async listen() {
      const address = await server.listen({ port: config.PORT, host: config.HOST });
      outbox.start();
      // PGlite has no autovacuum: vacuum and analyse by PostgreSQL's own rule.
      if (database.kind === 'pglite') {
        maintenance = startMaintenanceLoop(database.prisma, { intervalMs: config.DB_MAINTENANCE_INTERVAL_MS, logger: logger.child({ component: 'db-maintenance' }) });
      }
      stopRetention = startRetentionLoop(async () => {
        const erased = await applyRetention(database.prisma, config.RETENTION_DAYS);
        if (erased.conversations) logger.info(erased, 'retention: erased inactive conversations');
      });
      sla = startSlaLoop(queue, {
        intervalMs: config.SLA_SCAN_INTERVAL_MS,
        logger: logger.child({ component: 'sla' }),
        onBreach: (level) => metrics.slaBreaches.inc({ level }),
      });
      assignment = startAssignmentLoop({ ...queue, offerSeconds: config.HANDOFF_OFFER_SECONDS }, { intervalMs: config.SLA_SCAN_INTERVAL_MS, logger: logger.child({ component: 'assignment' }) });
      for (const handle of handles) await handle.afterListen?.();
      return address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
    },
    close() {
      closed ??= (async () => {
        await server.close(); // stops accepting; waits for requests in flight (and their turns)
        stopRetention?.();
        await sla?.stop();
        await assignment?.stop();
        // Channels stop taking updates (long polling ends after its current batch) before turns are refused.
        consoleApp.close();
        for (const handle of handles) await handle.stop?.();
        await runtime.drain();
        await outbox.stop();
        await maintenance?.stop();
        await bus.close?.();
        await database.close();
        await lock?.release();
      })();
      return closed;
    },
  };
}
