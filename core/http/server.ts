/**
 * The Fastify instance every route hangs on: request ids, pino logging without bodies, and one
 * error format `{ error: { code, message } }` with stable codes. Unexpected errors answer 500 with
 * the request id and are logged without payloads.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { logPath } from '../logging.js';
import { errorSummary } from '../outbox/dispatcher.js';
import { registerWellFormedBodies } from './boundary.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

/** TRUST_PROXY as Fastify takes it: true, a hop count, or a list of proxy addresses. */
export function trustProxySetting(value: string | undefined): boolean | number | string[] {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

export function buildHttpServer(logger: Logger, options: { trustProxy?: string } = {}): FastifyInstance {
  const server = Fastify({
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One access line per request at debug level (two at info level cost a fifth of a busy
    // instance's CPU in writes to stdout); problems are logged at warn/error as they happen.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Fastify takes a hop count too (its typings leave the number out).
    trustProxy: trustProxySetting(options.trustProxy) as boolean | string[],
  }) as unknown as FastifyInstance;

  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  server.addHook('onResponse', async (request, reply) => {
    if ((request.log as unknown as Logger).isLevelEnabled('debug')) {
      request.log.debug({ method: request.method, url: logPath(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
    }
  });
  registerWellFormedBodies(server);

  server.setErrorHandler((error, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.httpStatus).send({ error: { code: error.code, message: error.message } });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ code: 'DATABASE_UNAVAILABLE' }, 'database unavailable');
      return reply.status(503).header('retry-after', '5').send({ error: { code: 'DATABASE_UNAVAILABLE', message: 'the service is briefly unavailable; try again shortly' } });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 429 ? 'RATE_LIMITED' : 'BAD_INPUT';
      return reply.status(status).send({ error: { code, message: (error as Error).message } });
    }
    request.log.error({ err: errorSummary(error) }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: `internal error (request ${request.id})` } });
  });

  server.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
  return server;
}
