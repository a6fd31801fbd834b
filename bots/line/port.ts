/**
 * Renders canonical outbound messages for LINE: the reply token while it is fresh and unused (one
 * use only), push otherwise; at most 5 messages per request; choices as quick replies (at most 13,
 * postback data = the choice id, labels up to 20 characters) with the numbered text kept as fallback.
 */
import { createHash } from 'node:crypto';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { DeliveryError } from '../../core/errors.js';
import type { ChannelPort, DeliveryTarget, OutboundMessage } from '../../core/messages/types.js';
import { numberedChoices, splitText } from '../shared/webhook.js';
import { LINE } from './translate.js';

export const LINE_TEXT_LIMIT = 5000;
export const LINE_MESSAGES_PER_REQUEST = 5;
export const LINE_QUICK_REPLY_MAX = 13;
const LABEL_MAX = 20;

type LineMessage = messagingApi.Message;

function label(text: string): string {
  const chars = Array.from(text);
  return chars.length <= LABEL_MAX ? text : `${chars.slice(0, LABEL_MAX - 1).join('')}…`;
}

export function renderLine(message: OutboundMessage): LineMessage[] {
  const choices = message.choices ?? [];
  const quick = choices.slice(0, LINE_QUICK_REPLY_MAX).filter((c) => c.id.length <= 300);
  const needsNumbers = quick.length < choices.length || choices.some((c) => Array.from(c.label).length > LABEL_MAX);
  const text = needsNumbers ? numberedChoices(message.text, choices) : message.text;
  const pieces = splitText(text || ' ', LINE_TEXT_LIMIT);
  return pieces.map((piece, i): LineMessage => {
    const last = i === pieces.length - 1;
    return {
      type: 'text',
      text: piece,
      ...(last && quick.length
        ? { quickReply: { items: quick.map((c) => ({ type: 'action', action: { type: 'postback', label: label(c.label), data: c.id, displayText: c.label } })) } }
        : {}),
    } as LineMessage;
  });
}

export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof HTTPFetchError) {
    if (err.status === 429 || err.status >= 500) {
      const after = Number(err.headers.get('retry-after'));
      return new DeliveryError('DELIVERY_RETRYABLE', `line ${err.status}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
    }
    if (err.status === 403 || err.status === 404) return new DeliveryError('DELIVERY_UNREACHABLE', `line ${err.status}`);
    return new DeliveryError('DELIVERY_REJECTED', `line ${err.status}`);
  }
  return new DeliveryError('DELIVERY_RETRYABLE', 'line send failed');
}

export function linePort(client: messagingApi.MessagingApiClient, clock: () => Date = () => new Date()): ChannelPort {
  /** Reply tokens already spent (a token works once); kept until they would have expired anyway. */
  const used = new Map<string, number>();
  const takeToken = (target: DeliveryTarget): string | null => {
    const now = clock().getTime();
    for (const [token, expires] of used) if (expires < now) used.delete(token);
    const handle = target.replyHandle;
    if (!handle || used.has(handle.value)) return null;
    const expires = Date.parse(handle.expiresAt);
    if (!(expires > now)) return null;
    return handle.value;
  };

  return {
    channel: LINE,
    async send(target, message) {
      const to = target.externalChatId ?? target.externalUserId;
      if (!to) throw new DeliveryError('DELIVERY_UNREACHABLE', 'line: no user id (conversation erased?)');
      const messages = renderLine(message);
      try {
        let rest = messages;
        const token = takeToken(target);
        if (token) {
          const batch = rest.slice(0, LINE_MESSAGES_PER_REQUEST);
          try {
            await client.replyMessage({ replyToken: token, messages: batch });
            used.set(token, Date.parse(target.replyHandle!.expiresAt));
            rest = rest.slice(batch.length);
          } catch (err) {
            // An expired or already used token (400): fall back to push; anything else is a real failure.
            if (!(err instanceof HTTPFetchError && err.status === 400)) throw err;
            used.set(token, Date.parse(target.replyHandle!.expiresAt));
          }
        }
        for (let i = 0; i < rest.length; i += LINE_MESSAGES_PER_REQUEST) {
          // The same retry key on every attempt of this push: LINE sends it once and answers 409 to a repeat.
          const retryKey = target.messageId ? retryKeyFor(target.messageId, i) : undefined;
          try {
            await client.pushMessage({ to, messages: rest.slice(i, i + LINE_MESSAGES_PER_REQUEST) }, retryKey);
          } catch (err) {
            if (!(retryKey && err instanceof HTTPFetchError && err.status === 409)) throw err;
          }
        }
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
  };
}

/** A UUID (the format LINE requires) derived from the outbound message id and the batch. */
export function retryKeyFor(messageId: string, batch: number): string {
  if (batch === 0 && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(messageId)) return messageId;
  const hex = createHash('sha256').update(`${messageId}:${batch}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
