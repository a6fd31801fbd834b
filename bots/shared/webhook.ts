/**
 * What every webhook adapter shares: routes whose JSON bodies arrive as the raw string (signatures
 * are computed over the exact bytes; the parser is scoped to the channel's own plugin, so other
 * routes are unaffected), constant-time secret comparison, and the answer codes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { wellFormed } from '../../core/http/boundary.js';
import type { RouteLimit } from '../../core/http/limits.js';

export type RawWebhookHandler = (request: FastifyRequest<{ Body: string }>, reply: FastifyReply, raw: string) => Promise<unknown>;

/**
 * Registers POST `path` in its own encapsulated scope, with the body kept as a raw string, and the
 * per-client webhook limit (routeLimits(config).webhook).
 */
export async function registerRawWebhook(server: FastifyInstance, path: string, limit: RouteLimit, handler: RawWebhookHandler): Promise<void> {
  await server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post<{ Body: string }>(path, { config: { rateLimit: limit } }, async (request, reply) => handler(request, reply, typeof request.body === 'string' ? request.body : ''));
  });
}

export { safeEqual } from '../../core/security/constant-time.js';

export function unauthorized(message = 'bad webhook signature'): AppError {
  return new AppError('UNAUTHORIZED', message, 401);
}

export function badInput(message: string): AppError {
  return new AppError('BAD_INPUT', message, 400);
}

/** Parses a JSON body after its signature was checked; malformed JSON is a 400. Strings come back well-formed (no NUL, no lone surrogates). */
export function parseJson(raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    throw badInput('the body is not valid JSON');
  }
  return wellFormed(parsed);
}

/** True when an event's own timestamp (ms since the epoch) is older than the limit: acknowledge, do not process. */
export function tooOld(timestampMs: number, maxAgeSeconds: number, now = Date.now()): boolean {
  return Number.isFinite(timestampMs) && now - timestampMs > maxAgeSeconds * 1000;
}

/** Validates a parsed webhook body with its zod schema: anything else is a 400 BAD_INPUT. */
export function validated<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badInput(`not a ${what}`);
  return parsed.data;
}

/** Splits text into pieces of at most `max` characters, preferring line then word boundaries. */
export function splitText(text: string, max: number): string[] {
  const chars = Array.from(text);
  if (chars.length <= max) return [text];
  const parts: string[] = [];
  let rest = chars;
  while (rest.length > max) {
    const window = rest.slice(0, max).join('');
    let cut = window.lastIndexOf('\n');
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    const take = cut >= max / 2 ? Array.from(window.slice(0, cut)).length : max;
    parts.push(rest.slice(0, take).join('').trimEnd());
    rest = rest.slice(take);
    while (rest[0] === '\n' || rest[0] === ' ') rest = rest.slice(1);
  }
  if (rest.length) parts.push(rest.join(''));
  return parts;
}

/** The numbered text fallback: a user can always answer by typing the number. */
export function numberedChoices(text: string, choices: { label: string }[] | undefined): string {
  if (!choices?.length) return text;
  return [text, '', ...choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n');
}
