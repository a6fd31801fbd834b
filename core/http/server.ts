/**
 * The Fastify instance every route hangs on: request ids, pino logging without bodies, and one
 * error format `{ error: { code, message } }` with stable codes. Unexpected errors answer 500 with
 * the request id and are logged without payloads.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { errorSummary } from '../outbox/dispatcher.js';
import { registerWellFormedBodies } from './boundary.js';

export function buildHttpServer(logger: Logger): FastifyInstance {
  const server = Fastify({
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  }) as unknown as FastifyInstance;

  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerWellFormedBodies(server);

  server.setErrorHandler((error, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.httpStatus).send({ error: { code: error.code, message: error.message } });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_INPUT';
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
