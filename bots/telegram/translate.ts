/** Telegram update → canonical InboundMessage. Only private chats are served (the bot is a 1:1 helpline). */
import type { Update } from 'grammy/types';
import { z } from 'zod';
import type { InboundMessage } from '../../core/messages/types.js';

export const TELEGRAM = 'telegram';

/**
 * The part of a Telegram update the bot reads, checked before it is read (webhook bodies and long
 * polling alike): anything else in the update is let through untouched and ignored.
 */
const telegramId = z.number().int().safe();
const user = z.object({ id: telegramId, language_code: z.string().max(35).optional() }).loose();
const chat = z.object({ id: telegramId, type: z.string().max(32) }).loose();
const message = z
  .object({
    message_id: z.number().int().optional(),
    from: user.optional(),
    chat,
    text: z.string().max(10_000).optional(),
    caption: z.string().max(10_000).optional(),
    location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).loose().optional(),
  })
  .loose();
export const telegramUpdate = z
  .object({
    update_id: telegramId,
    message: message.optional(),
    callback_query: z
      .object({ id: z.string().max(256), from: user, data: z.string().max(256).optional(), message: z.object({ chat: chat.optional() }).loose().optional() })
      .loose()
      .optional(),
  })
  .loose();

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;

export function translateUpdate(update: Update): InboundMessage | null {
  const base = { channel: TELEGRAM, externalMessageId: String(update.update_id) };
  const query = update.callback_query;
  if (query) {
    const chat = query.message?.chat;
    if (chat && chat.type !== 'private') return null;
    if (!query.data) return null;
    return {
      ...base,
      externalUserId: String(query.from.id),
      // A private chat's id is the user's id: replies go to the user id (stored sealed), so no second copy is kept.
      ...(chat && chat.id !== query.from.id ? { externalChatId: String(chat.id) } : {}),
      kind: 'choice',
      payload: { choiceId: query.data.slice(0, 64) },
      ...(query.from.language_code ? { localeHint: query.from.language_code } : {}),
    };
  }
  const message = update.message;
  if (!message || !message.from || message.chat.type !== 'private') return null;
  const who = {
    ...base,
    externalUserId: String(message.from.id),
    ...(message.chat.id !== message.from.id ? { externalChatId: String(message.chat.id) } : {}),
    ...(message.from.language_code ? { localeHint: message.from.language_code } : {}),
  };
  if (typeof message.text === 'string') {
    const command = COMMAND.exec(message.text.trim());
    if (command) {
      const args = command[2]?.trim();
      return { ...who, kind: 'command', payload: { command: command[1]!.toLowerCase(), ...(args ? { commandArgs: args.slice(0, 256) } : {}), text: message.text } };
    }
    return { ...who, kind: 'text', payload: { text: message.text } };
  }
  if (message.location) {
    return { ...who, kind: 'location', payload: { location: { latitude: message.location.latitude, longitude: message.location.longitude } } };
  }
  const attachmentType = (['photo', 'document', 'voice', 'audio', 'video', 'video_note', 'sticker', 'contact'] as const).find((k) => message[k] !== undefined);
  if (attachmentType) {
    return { ...who, kind: 'attachment', payload: { attachmentType, ...(message.caption ? { text: message.caption } : {}) } };
  }
  return null;
}
