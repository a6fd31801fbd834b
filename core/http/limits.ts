/**
 * Abuse limits per client, kept in memory only (@fastify/rate-limit's local store): the client's
 * address is used as the key while the window lasts and is never written anywhere. Routes opt in
 * with `config: { rateLimit: routeLimits(config).<name> }`. Behind a reverse proxy set TRUST_PROXY,
 * or every client shares the proxy's address.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

export interface RouteLimit {
  max: number;
  timeWindow: number;
}

const minute = (max: number): RouteLimit => ({ max: Math.max(1, Math.floor(max)), timeWindow: 60_000 });

/** The named limits, per client per minute. */
export function routeLimits(config: Pick<Config, 'WEBHOOK_RATE_LIMIT_PER_MINUTE' | 'WEBCHAT_RATE_LIMIT_PER_MINUTE'>) {
  return {
    /** Platform webhooks: generous, platforms send from few addresses. */
    webhook: minute(config.WEBHOOK_RATE_LIMIT_PER_MINUTE),
    /** A new web chat: a token, and starting the conversation. */
    conversationStart: minute(config.WEBCHAT_RATE_LIMIT_PER_MINUTE),
    /** Asking for a resume code, and trying one: half the rate. */
    resume: minute(config.WEBCHAT_RATE_LIMIT_PER_MINUTE / 2),
  };
}

export async function registerRateLimits(server: FastifyInstance): Promise<void> {
  await server.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AppError('RATE_LIMITED', `too many requests; try again in ${context.after}`, 429),
  });
}
