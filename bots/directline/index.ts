/**
 * The built-in Direct Line 3.0 (the subset Microsoft's Web Chat uses), backed by handleTurn, so the
 * /chat page runs the official Web Chat client against this server with no Azure account:
 *   POST /v3/directline/tokens/generate            new conversation + token (the page's own start)
 *   POST /v3/directline/tokens/refresh             new token for the same conversation
 *   POST /v3/directline/conversations              start (nothing is stored until the user's first message)
 *   GET  /v3/directline/conversations/:id          reconnect (fresh stream URL)
 *   POST /v3/directline/conversations/:id/activities   send an activity → handleTurn
 *   GET  /v3/directline/conversations/:id/activities?watermark=   activities after the watermark
 *   GET  /v3/directline/conversations/:id/stream?t=  WebSocket of activity sets
 * Every call needs a Bearer token scoped to its conversation (the stream takes it as `t`).
 */
import websocket from '@fastify/websocket';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ChannelContext, ChannelModule } from '../../core/channels.js';
import { AppError } from '../../core/errors.js';
import { translate } from '../../core/i18n/index.js';
import { registerPages } from '../webchat/pages.js';
import { postedActivity, fromActivity, WEBCHAT } from './activities.js';
import { routeLimits } from '../../core/http/limits.js';
import { maskReadSecrets } from '../../core/outbox/secrets.js';
import { activitiesAfter, conversationExists, parseWatermark, startMessageId, type Watermark } from './store.js';
import { bearer, issueToken, newConversationId, verifyTokenClaims, type TokenClaims } from './tokens.js';

const BASE = '/v3/directline';

interface Socket {
  ws: WebSocket;
  watermark: Watermark;
  locale?: string;
  busy: Promise<void>;
}

export const directLineModule: ChannelModule = {
  name: WEBCHAT,
  enabled: (config) => config.WEBCHAT_ENABLED,
  async start(ctx: ChannelContext) {
    const { server, db, runtime, config, tokenKey, logger } = ctx;
    const now = () => new Date();
    const sockets = new Map<string, Set<Socket>>();
    const names = (locale: string) => ({ counsellor: translate(locale === 'en' ? 'en' : 'vi', 'common.counsellorName'), bot: '111', system: '111' });

    const authorise = (request: FastifyRequest, conversationId?: string): TokenClaims => {
      const claims = verifyTokenClaims(tokenKey, bearer(request.headers.authorization), now());
      if (conversationId !== undefined && claims.conversationId !== conversationId) throw new AppError('FORBIDDEN', 'this token is for another conversation', 403);
      return claims;
    };
    const limits = routeLimits(config);
    const streamUrl = (request: FastifyRequest, conversationId: string, token: string) => {
      const origin = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : new URL(`${request.protocol}://${request.headers.host ?? `127.0.0.1:${config.PORT}`}`);
      const ws = new URL(`${BASE}/conversations/${encodeURIComponent(conversationId)}/stream`, origin);
      ws.protocol = origin.protocol === 'https:' ? 'wss:' : 'ws:';
      ws.searchParams.set('t', token);
      return ws.toString();
    };
    const localeOf = async (conversationId: string, pageLocale?: string) =>
      (await db.conversation.findFirst({ where: { channel: WEBCHAT, externalChatId: conversationId }, orderBy: { createdAt: 'desc' }, select: { locale: true } }))?.locale ?? pageLocale ?? config.DEFAULT_LOCALE;
    const read = async (conversationId: string, watermark: Watermark, pageLocale?: string) => {
      const locale = await localeOf(conversationId, pageLocale);
      return activitiesAfter(db, conversationId, watermark, names(locale), () => ctx.welcome(pageLocale));
    };

    /** Sends each open socket of the conversation what it has not seen yet (serialised per socket). */
    const push = (conversationId: string) => {
      const set = sockets.get(conversationId);
      if (!set?.size) return;
      for (const socket of set) {
        socket.busy = socket.busy.then(async () => {
          const batch = await read(conversationId, socket.watermark, socket.locale);
          if (!batch.activities.length) return;
          socket.watermark = parseWatermark(batch.watermark);
          if (socket.ws.readyState === socket.ws.OPEN) {
            socket.ws.send(JSON.stringify(batch));
            if (typeof socket.watermark === 'bigint') await maskReadSecrets(db, { channel: WEBCHAT, externalChatId: conversationId }, socket.watermark);
          }
        }).catch((err: unknown) => logger.warn({ code: (err as { code?: string }).code ?? 'PUSH_FAILED' }, 'directline: push failed'));
      }
    };

    /** Shows the counsellor's typing indicator on this instance's sockets (not stored, no watermark change). */
    const showTyping = (directLineId: string) => {
      for (const socket of sockets.get(directLineId) ?? []) {
        if (socket.ws.readyState !== socket.ws.OPEN) continue;
        const activity = { type: 'typing', id: randomUUID(), timestamp: new Date().toISOString(), channelId: 'directline', conversation: { id: directLineId }, from: { id: 'counsellor', role: 'bot' } };
        socket.ws.send(JSON.stringify({ activities: [activity], watermark: socket.watermark?.toString() ?? null }));
      }
    };

    // New messages (user echoes, bot replies, counsellor replies) and typing reach open sockets at
    // once, whichever instance wrote them (the bus carries the internal conversation id only).
    const conversationIds = new Map<string, string>();
    const directLineIdOf = async (conversationId: string): Promise<string | undefined> => {
      const known = conversationIds.get(conversationId);
      if (known) return known;
      const c = await db.conversation.findUnique({ where: { id: conversationId }, select: { channel: true, externalChatId: true } });
      if (c?.channel !== WEBCHAT || !c.externalChatId) return undefined;
      if (conversationIds.size > 10_000) conversationIds.clear(); // a cache, not a record
      conversationIds.set(conversationId, c.externalChatId);
      return c.externalChatId;
    };
    const unsubscribe = ctx.bus.subscribe((event) => {
      if (!sockets.size) return;
      // Events may have been missed (the bus reconnected): every socket re-reads from its watermark.
      if (event.type === 'bus.resync') return void [...sockets.keys()].forEach(push);
      if (event.type !== 'conversation.message' && event.type !== 'conversation.typing') return;
      const known = conversationIds.get(event.conversationId);
      if (known && event.type === 'conversation.message') return push(known);
      void directLineIdOf(event.conversationId).then(
        (directLineId) => {
          if (!directLineId) return;
          if (event.type === 'conversation.typing') showTyping(directLineId);
          else push(directLineId);
        },
        () => {},
      );
    });

    // Stored with the user's first message (the welcome they saw is the flow's start). Idempotent.
    const startConversation = async (conversationId: string, locale?: string) => {
      await runtime.handleTurn({
        channel: WEBCHAT,
        externalUserId: conversationId,
        externalChatId: conversationId,
        externalMessageId: startMessageId(conversationId),
        kind: 'command',
        // The page's language is a choice the person made: "/start vi" skips the language question.
        payload: { command: 'start', ...(locale ? { commandArgs: locale } : {}) },
        ...(locale ? { localeHint: locale } : {}),
      });
    };

    if (!server.hasDecorator('websocketServer')) await server.register(websocket);
    await registerPages(server, { config, db, tokenKey, channels: ctx.channels });
    await server.register(async (scope) => {
      // Nothing is stored for a token, nor for a conversation nobody has written in yet.
      scope.post(`${BASE}/tokens/generate`, { config: { rateLimit: limits.conversationStart } }, async () => {
        const conversationId = newConversationId();
        return { conversationId, ...issueToken(tokenKey, conversationId, now()) };
      });
      scope.post(`${BASE}/tokens/refresh`, async (request) => {
        const { conversationId, locale } = authorise(request);
        return { conversationId, ...issueToken(tokenKey, conversationId, now(), locale) };
      });
      scope.post(`${BASE}/conversations`, { config: { rateLimit: limits.conversationStart } }, async (request, reply) => {
        const claims = authorise(request);
        const asked = (request.body as { locale?: unknown } | undefined)?.locale;
        const locale = typeof asked === 'string' && asked.length <= 35 ? asked : claims.locale;
        const fresh = !(await conversationExists(db, claims.conversationId));
        const token = issueToken(tokenKey, claims.conversationId, now(), locale);
        return reply.status(fresh ? 201 : 200).send({ conversationId: claims.conversationId, ...token, streamUrl: streamUrl(request, claims.conversationId, token.token) });
      });
      scope.get<{ Params: { id: string } }>(`${BASE}/conversations/:id`, async (request) => {
        const { conversationId, locale } = authorise(request, request.params.id);
        const token = issueToken(tokenKey, conversationId, now(), locale);
        return { conversationId, ...token, streamUrl: streamUrl(request, conversationId, token.token) };
      });
      scope.post<{ Params: { id: string } }>(`${BASE}/conversations/:id/activities`, async (request) => {
        const { conversationId, locale } = authorise(request, request.params.id);
        if (!postedActivity.safeParse(request.body).success) throw new AppError('BAD_INPUT', 'not a Bot Framework activity', 400);
        const { inbound, id } = fromActivity(conversationId, request.body, randomUUID());
        if (inbound) {
          // The first thing the user says stores the conversation: its start (the welcome they saw), then the message.
          if (!(await conversationExists(db, conversationId))) await startConversation(conversationId, inbound.localeHint ?? locale);
          await runtime.handleTurn(inbound);
        }
        return { id };
      });
      scope.get<{ Params: { id: string }; Querystring: { watermark?: string } }>(`${BASE}/conversations/:id/activities`, async (request) => {
        const { conversationId, locale } = authorise(request, request.params.id);
        const watermark = parseWatermark(request.query.watermark);
        // The client asks from its watermark: it has read everything up to it (a code shown there is masked now).
        if (typeof watermark === 'bigint') await maskReadSecrets(db, { channel: WEBCHAT, externalChatId: conversationId }, watermark);
        return read(conversationId, watermark, locale);
      });
      scope.get<{ Params: { id: string }; Querystring: { t?: string; watermark?: string } }>(
        `${BASE}/conversations/:id/stream`,
        { websocket: true },
        (ws, request) => {
          let claims: TokenClaims;
          try {
            claims = verifyTokenClaims(tokenKey, request.query.t ?? bearer(request.headers.authorization), now());
            if (claims.conversationId !== request.params.id) throw new AppError('FORBIDDEN', 'this token is for another conversation', 403);
          } catch {
            ws.close(4403, 'forbidden');
            return;
          }
          const conversationId = claims.conversationId;
          const socket: Socket = { ws, watermark: parseWatermark(request.query.watermark), busy: Promise.resolve(), ...(claims.locale ? { locale: claims.locale } : {}) };
          const set = sockets.get(conversationId) ?? new Set<Socket>();
          set.add(socket);
          sockets.set(conversationId, set);
          ws.on('close', () => {
            set.delete(socket);
            if (!set.size) sockets.delete(conversationId);
          });
          push(conversationId);
        },
      );
    });

    return {
      port: {
        channel: WEBCHAT,
        // The client reads committed messages itself (socket or GET); delivering is waking the sockets.
        deliversOnRead: true,
        async send(target) {
          if (target.externalChatId) push(target.externalChatId);
        },
        // Web Chat shows a typing indicator for a typing activity. The user's socket may be held by
        // another instance: the bus takes it there (and to this instance's own sockets).
        async typing(target) {
          if (target.externalChatId) conversationIds.set(target.conversationId, target.externalChatId);
          ctx.bus.publish({ type: 'conversation.typing', conversationId: target.conversationId });
        },
      },
      async stop() {
        unsubscribe();
        for (const set of sockets.values()) for (const s of set) s.ws.close(1001, 'server shutting down');
        sockets.clear();
      },
    };
  },
};
