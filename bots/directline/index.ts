/**
 * The built-in Direct Line 3.0 (the subset Microsoft's Web Chat uses), backed by handleTurn, so the
 * /chat page runs the official Web Chat client against this server with no Azure account:
 *   POST /v3/directline/tokens/generate            new conversation + token (the page's own start)
 *   POST /v3/directline/tokens/refresh             new token for the same conversation
 *   POST /v3/directline/conversations              start (the welcome is written once)
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
import { activitiesAfter, conversationExists, parseWatermark } from './store.js';
import { bearer, issueToken, newConversationId, verifyToken } from './tokens.js';

const BASE = '/v3/directline';

interface Socket {
  ws: WebSocket;
  watermark: bigint | null;
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

    const authorise = (request: FastifyRequest, conversationId?: string): string => {
      const scoped = verifyToken(tokenKey, bearer(request.headers.authorization), now());
      if (conversationId !== undefined && scoped !== conversationId) throw new AppError('FORBIDDEN', 'this token is for another conversation', 403);
      return scoped;
    };
    const streamUrl = (request: FastifyRequest, conversationId: string, token: string) => {
      const origin = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : new URL(`${request.protocol}://${request.headers.host ?? `127.0.0.1:${config.PORT}`}`);
      const ws = new URL(`${BASE}/conversations/${encodeURIComponent(conversationId)}/stream`, origin);
      ws.protocol = origin.protocol === 'https:' ? 'wss:' : 'ws:';
      ws.searchParams.set('t', token);
      return ws.toString();
    };
    const localeOf = async (conversationId: string) =>
      (await db.conversation.findFirst({ where: { channel: WEBCHAT, externalChatId: conversationId }, orderBy: { createdAt: 'desc' }, select: { locale: true } }))?.locale ?? config.DEFAULT_LOCALE;

    /** Sends each open socket of the conversation what it has not seen yet (serialised per socket). */
    const push = (conversationId: string) => {
      const set = sockets.get(conversationId);
      if (!set?.size) return;
      for (const socket of set) {
        socket.busy = socket.busy.then(async () => {
          const batch = await activitiesAfter(db, conversationId, socket.watermark, names(await localeOf(conversationId)));
          if (!batch.activities.length) return;
          socket.watermark = parseWatermark(batch.watermark);
          if (socket.ws.readyState === socket.ws.OPEN) socket.ws.send(JSON.stringify(batch));
        }).catch((err: unknown) => logger.warn({ code: (err as { code?: string }).code ?? 'PUSH_FAILED' }, 'directline: push failed'));
      }
    };

    // New messages (user echoes, bot replies, counsellor replies) reach open sockets at once.
    const conversationIds = new Map<string, string>();
    const unsubscribe = ctx.bus.subscribe((event) => {
      if (event.type !== 'conversation.message' || !sockets.size) return;
      const known = conversationIds.get(event.conversationId);
      if (known) return push(known);
      void db.conversation.findUnique({ where: { id: event.conversationId }, select: { channel: true, externalChatId: true } }).then((c) => {
        if (c?.channel !== WEBCHAT || !c.externalChatId) return;
        if (conversationIds.size > 10_000) conversationIds.clear(); // a cache, not a record
        conversationIds.set(event.conversationId, c.externalChatId);
        push(c.externalChatId);
      });
    });

    const startConversation = async (conversationId: string, locale?: string) => {
      // Idempotent: the same start id is a no-op the second time.
      await runtime.handleTurn({
        channel: WEBCHAT,
        externalUserId: conversationId,
        externalChatId: conversationId,
        externalMessageId: `start:${conversationId}`,
        kind: 'command',
        // The page's language is a choice the person made: "/start vi" skips the language question.
        payload: { command: 'start', ...(locale ? { commandArgs: locale } : {}) },
        ...(locale ? { localeHint: locale } : {}),
      });
    };

    if (!server.hasDecorator('websocketServer')) await server.register(websocket);
    await registerPages(server, { config, db, tokenKey, channels: ctx.channels });
    await server.register(async (scope) => {
      scope.post(`${BASE}/tokens/generate`, async () => {
        const conversationId = newConversationId();
        return { conversationId, ...issueToken(tokenKey, conversationId, now()) };
      });
      scope.post(`${BASE}/tokens/refresh`, async (request) => {
        const conversationId = authorise(request);
        return { conversationId, ...issueToken(tokenKey, conversationId, now()) };
      });
      scope.post(`${BASE}/conversations`, async (request, reply) => {
        const conversationId = authorise(request);
        const locale = typeof (request.body as { locale?: unknown } | undefined)?.locale === 'string' ? (request.body as { locale: string }).locale : undefined;
        const fresh = !(await conversationExists(db, conversationId));
        await startConversation(conversationId, locale);
        const token = issueToken(tokenKey, conversationId, now());
        return reply.status(fresh ? 201 : 200).send({ conversationId, ...token, streamUrl: streamUrl(request, conversationId, token.token) });
      });
      scope.get<{ Params: { id: string } }>(`${BASE}/conversations/:id`, async (request) => {
        const conversationId = authorise(request, request.params.id);
        const token = issueToken(tokenKey, conversationId, now());
        return { conversationId, ...token, streamUrl: streamUrl(request, conversationId, token.token) };
      });
      scope.post<{ Params: { id: string } }>(`${BASE}/conversations/:id/activities`, async (request) => {
        const conversationId = authorise(request, request.params.id);
        if (!postedActivity.safeParse(request.body).success) throw new AppError('BAD_INPUT', 'not a Bot Framework activity', 400);
        const { inbound, id } = fromActivity(conversationId, request.body, randomUUID());
        if (inbound) await runtime.handleTurn(inbound);
        return { id };
      });
      scope.get<{ Params: { id: string }; Querystring: { watermark?: string } }>(`${BASE}/conversations/:id/activities`, async (request) => {
        const conversationId = authorise(request, request.params.id);
        return activitiesAfter(db, conversationId, parseWatermark(request.query.watermark), names(await localeOf(conversationId)));
      });
      scope.get<{ Params: { id: string }; Querystring: { t?: string; watermark?: string } }>(
        `${BASE}/conversations/:id/stream`,
        { websocket: true },
        (ws, request) => {
          let conversationId: string;
          try {
            conversationId = verifyToken(tokenKey, request.query.t ?? bearer(request.headers.authorization), now());
            if (conversationId !== request.params.id) throw new AppError('FORBIDDEN', 'this token is for another conversation', 403);
          } catch {
            ws.close(4403, 'forbidden');
            return;
          }
          const socket: Socket = { ws, watermark: parseWatermark(request.query.watermark), busy: Promise.resolve() };
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
        async send(target) {
          if (target.externalChatId) push(target.externalChatId);
        },
        // Web Chat shows a typing indicator for a typing activity (not stored, no watermark change).
        async typing(target) {
          for (const socket of sockets.get(target.externalChatId ?? '') ?? []) {
            if (socket.ws.readyState !== socket.ws.OPEN) continue;
            const activity = { type: 'typing', id: randomUUID(), timestamp: new Date().toISOString(), channelId: 'directline', conversation: { id: target.externalChatId }, from: { id: 'counsellor', role: 'bot' } };
            socket.ws.send(JSON.stringify({ activities: [activity], watermark: socket.watermark?.toString() ?? null }));
          }
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
