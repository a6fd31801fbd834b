/** LINE webhook body → canonical InboundMessages (message, postback, follow, location events). */
import { z } from 'zod';
import type { InboundMessage } from '../../core/messages/types.js';

export const LINE = 'line';
/** A reply token is good for about a minute; after this we push instead. */
export const REPLY_TOKEN_TTL_MS = 50_000;

const source = z.object({ type: z.string().max(32), userId: z.string().min(1).max(256).optional(), groupId: z.string().optional(), roomId: z.string().optional() }).loose();
const event = z
  .object({
    type: z.string(),
    webhookEventId: z.string().min(1).max(256),
    timestamp: z.number(),
    source: source.optional(),
    replyToken: z.string().max(512).optional(),
    message: z
      .object({ type: z.string().max(64), id: z.string().optional(), text: z.string().max(10_000).optional(), latitude: z.number().min(-90).max(90).optional(), longitude: z.number().min(-180).max(180).optional() })
      .loose()
      .optional(),
    postback: z.object({ data: z.string().max(1024) }).loose().optional(),
  })
  .loose();

export const lineWebhookBody = z.object({ destination: z.string().optional(), events: z.array(event).max(100) }).loose();
export type LineWebhookBody = z.infer<typeof lineWebhookBody>;
type LineEvent = z.infer<typeof event>;

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:\s+([\s\S]*))?$/;

export function translateEvent(e: LineEvent, now: Date): InboundMessage | null {
  const userId = e.source?.userId;
  if (!userId) return null;
  // Groups and rooms are not served: the helpline is one-to-one.
  if (e.source?.type !== 'user') return null;
  const base = {
    channel: LINE,
    externalUserId: userId,
    externalMessageId: e.webhookEventId,
    ...(e.replyToken ? { replyHandle: { value: e.replyToken, expiresAt: new Date(now.getTime() + REPLY_TOKEN_TTL_MS).toISOString() } } : {}),
  };
  switch (e.type) {
    case 'follow':
      return { ...base, kind: 'command', payload: { command: 'start' } };
    case 'postback':
      return e.postback?.data ? { ...base, kind: 'choice', payload: { choiceId: e.postback.data.slice(0, 128) } } : null;
    case 'message': {
      const m = e.message;
      if (!m) return null;
      if (m.type === 'text' && typeof m.text === 'string') {
        const command = COMMAND.exec(m.text.trim());
        if (command) {
          const args = command[2]?.trim();
          return { ...base, kind: 'command', payload: { command: command[1]!.toLowerCase(), ...(args ? { commandArgs: args.slice(0, 256) } : {}), text: m.text } };
        }
        return { ...base, kind: 'text', payload: { text: m.text } };
      }
      if (m.type === 'location' && typeof m.latitude === 'number' && typeof m.longitude === 'number') {
        return { ...base, kind: 'location', payload: { location: { latitude: m.latitude, longitude: m.longitude } } };
      }
      return { ...base, kind: 'attachment', payload: { attachmentType: m.type.slice(0, 64) } };
    }
    default:
      // unfollow, unsend, read receipts…: nothing to answer (an unfollowed user cannot be messaged).
      return null;
  }
}
