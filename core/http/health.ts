/**
 * GET /healthz (200 once the database is migrated and answering) and GET /metrics. /metrics needs
 * `Authorization: Bearer $METRICS_TOKEN` when METRICS_TOKEN is set; without one it is open only in
 * development and test (NODE_ENV), and refused in production.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.js';
import type { Metrics } from '../metrics.js';
import { AppError } from '../errors.js';
import { safeEqual } from '../security/constant-time.js';

const PING_TIMEOUT_MS = 3_000;

/** A database that hangs must make /healthz fail, not hang with it. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('database ping timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function registerHealthRoutes(
  server: FastifyInstance,
  deps: {
    database: Database;
    channels: () => Record<string, boolean>;
    metrics: Metrics;
    metricsEnabled: boolean;
    startedAt: Date;
    /** Bearer token a scraper must show; without it /metrics is open only when `metricsOpen`. */
    metricsToken?: string;
    metricsOpen?: boolean;
  },
): void {
  server.get('/healthz', async (_request, reply) => {
    const started = performance.now();
    let database: { kind: string; status: 'ok' | 'unavailable'; migrated: boolean; latencyMs?: number };
    try {
      await withTimeout(deps.database.ping(), PING_TIMEOUT_MS);
      database = { kind: deps.database.kind, status: 'ok', migrated: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch {
      database = { kind: deps.database.kind, status: 'unavailable', migrated: true };
    }
    const ok = database.status === 'ok';
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      database,
      channels: deps.channels(),
      uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
    });
  });

  if (deps.metricsEnabled) {
    server.get('/metrics', async (request, reply) => {
      if (deps.metricsToken) {
        const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (!given || !safeEqual(given, deps.metricsToken)) throw new AppError('UNAUTHORIZED', 'metrics need the METRICS_TOKEN bearer token', 401);
      } else if (!deps.metricsOpen) {
        throw new AppError('UNAUTHORIZED', 'set METRICS_TOKEN to scrape metrics in production', 401);
      }
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  }
}
