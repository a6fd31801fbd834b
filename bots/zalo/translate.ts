/**
 * Zalo OA webhook → canonical InboundMessage, and the event signature:
 * X-ZEvent-Signature = "mac=" + sha256(appId + rawBody + timestamp + OA secret key), where the
 * timestamp is the event's own `timestamp` field.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { InboundMessage } from '../../core/messages/types.js';
import { safeEqual } from '../shared/webhook.js';

export const ZALO = 'zalo';
/** Button payloads carry the choice id behind this prefix (sent back as a hidden text query). */
export const CHOICE_PREFIX = 'choice:';

const id = z.object({ id: z.union([z.string().min(1).max(256), z.number()]).transform(String) }).loose();
const coordinate = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);
export const zaloEvent = z
  .object({
    app_id: z.union([z.string(), z.number()]).transform(String).optional(),
    event_name: z.string().min(1).max(64),
    timestamp: z.union([z.string(), z.number()]).transform(String),
    sender: id.optional(),
    recipient: id.optional(),
    follower: id.optional(),
    message: z
      .object({
        msg_id: z.string().min(1).max(256).optional(),
        text: z.string().max(10_000).optional(),
        attachments: z
          .array(z.object({ type: z.string(), payload: z.object({ coordinates: z.object({ latitude: coordinate, longitude: coordinate }).optional() }).loose().optional() }).loose())
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type ZaloEvent = z.infer<typeof zaloEvent>;

export function zaloSignature(appId: string, rawBody: string, timestamp: string, oaSecretKey: string): string {
  return `mac=${createHash('sha256').update(`${appId}${rawBody}${timestamp}${oaSecretKey}`, 'utf8').digest('hex')}`;
}

export function verifyZaloSignature(header: string | undefined, appId: string, rawBody: string, timestamp: string, oaSecretKey: string): boolean {
  if (!header) return false;
  const given = header.trim().toLowerCase();
  const expected = zaloSignature(appId, rawBody, timestamp, oaSecretKey);
  return safeEqual(given.startsWith('mac=') ? given : `mac=${given}`, expected);
}

export function translateEvent(event: ZaloEvent, rawBody: string): InboundMessage | null {
  const externalMessageId = event.message?.msg_id ?? `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
  if (event.event_name === 'follow') {
    const user = event.follower?.id ?? event.sender?.id;
    return user ? { channel: ZALO, externalUserId: user, externalMessageId, kind: 'command', payload: { command: 'start' } } : null;
  }
  if (!event.event_name.startsWith('user_send_') || !event.sender) return null;
  const base = { channel: ZALO, externalUserId: event.sender.id, externalMessageId };
  const message = event.message;
  switch (event.event_name) {
    case 'user_send_text': {
      const text = message?.text ?? '';
      if (text.startsWith(CHOICE_PREFIX)) return { ...base, kind: 'choice', payload: { choiceId: text.slice(CHOICE_PREFIX.length, CHOICE_PREFIX.length + 128) } };
      return { ...base, kind: 'text', payload: { text } };
    }
    case 'user_send_location': {
      const coordinates = message?.attachments?.find((a) => a.type === 'location')?.payload?.coordinates;
      if (!coordinates || !Number.isFinite(coordinates.latitude) || !Number.isFinite(coordinates.longitude)) return null;
      return { ...base, kind: 'location', payload: { location: { latitude: coordinates.latitude, longitude: coordinates.longitude } } };
    }
    default:
      return { ...base, kind: 'attachment', payload: { attachmentType: event.event_name.slice('user_send_'.length, 64) } };
  }
}
