/**
 * Renders canonical outbound messages as Zalo consultation ("cs") messages: text up to 2000
 * characters per message, choices as up to 5 hidden-query buttons (payload "choice:<id>"), numbered
 * text when there are more. Zalo only lets an OA send consultation messages within a window after the
 * user's last message: a send outside it is refused (DELIVERY_REJECTED, so the counsellor sees it on
 * the message) and announced on the bus, never silently dropped.
 */
import type { Logger } from 'pino';
import type { Db } from '../../core/db/client.js';
import { DeliveryError } from '../../core/errors.js';
import type { EventBus } from '../../core/events/bus.js';
import type { ChannelPort, OutboundMessage } from '../../core/messages/types.js';
import { numberedChoices, splitText } from '../shared/webhook.js';
import { WINDOW_ERRORS, ZaloApiError, type ZaloClient, type ZaloCsMessage } from './client.js';
import { CHOICE_PREFIX, ZALO } from './translate.js';

export const ZALO_TEXT_LIMIT = 2000;
export const ZALO_BUTTONS_MAX = 5;
/** Consultation messages may be sent for 7 days after the user's last message. */
export const ZALO_INTERACTION_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export function renderZalo(message: OutboundMessage): ZaloCsMessage[] {
  const choices = message.choices ?? [];
  const buttons = choices.length <= ZALO_BUTTONS_MAX ? choices : [];
  const text = buttons.length ? message.text : numberedChoices(message.text, choices);
  const pieces = splitText(text || ' ', ZALO_TEXT_LIMIT);
  return pieces.map((piece, i) =>
    i === pieces.length - 1 && buttons.length
      ? {
          text: piece,
          attachment: {
            type: 'template',
            payload: { template_type: 'button', buttons: buttons.map((c) => ({ type: 'oa.query.hide', title: Array.from(c.label).slice(0, 100).join(''), payload: `${CHOICE_PREFIX}${c.id}` })) },
          },
        }
      : { text: piece },
  );
}

export interface ZaloPortOptions {
  client: ZaloClient;
  db: Db;
  bus: EventBus;
  logger: Logger;
  windowMs?: number;
  clock?: () => Date;
}

export function zaloPort(options: ZaloPortOptions): ChannelPort {
  const { client, db, bus, logger } = options;
  const windowMs = options.windowMs ?? ZALO_INTERACTION_WINDOW_MS;
  const rejectOutsideWindow = (conversationId: string, author: OutboundMessage['author']): never => {
    bus.publish({ type: 'delivery.rejected', conversationId, channel: ZALO, reason: 'outside_interaction_window', author });
    logger.warn({ conversationId, author }, 'zalo: outside the interaction window; message not sent');
    throw new DeliveryError('DELIVERY_REJECTED', 'zalo: the user has not written within the interaction window');
  };

  return {
    channel: ZALO,
    async send(target, message) {
      const userId = target.externalUserId;
      if (!userId) throw new DeliveryError('DELIVERY_UNREACHABLE', 'zalo: no user id (conversation erased?)');
      const lastInbound = await db.message.findFirst({
        where: { conversationId: target.conversationId, direction: 'inbound' },
        orderBy: { seq: 'desc' },
        select: { createdAt: true },
      });
      const now = options.clock?.() ?? new Date();
      // A conversation with no inbound message yet (just erased and restarted) is left to Zalo's own check.
      if (lastInbound && now.getTime() - lastInbound.createdAt.getTime() > windowMs) rejectOutsideWindow(target.conversationId, message.author);
      let lastId: string | undefined;
      for (const piece of renderZalo(message)) {
        try {
          lastId = await client.sendCs(userId, piece);
        } catch (err) {
          if (err instanceof DeliveryError) throw err;
          if (err instanceof ZaloApiError) {
            if (WINDOW_ERRORS.has(err.zaloCode)) rejectOutsideWindow(target.conversationId, message.author);
            throw new DeliveryError('DELIVERY_REJECTED', err.message);
          }
          throw new DeliveryError('DELIVERY_RETRYABLE', 'zalo send failed');
        }
      }
      return lastId ? { channelMessageId: lastId } : undefined;
    },
  };
}
