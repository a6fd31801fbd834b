/** Telegram update → canonical InboundMessage. Only private chats are served (the bot is a 1:1 helpline). */
import type { Update } from 'grammy/types';
import type { InboundMessage } from '../../core/messages/types.js';

export const TELEGRAM = 'telegram';

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
