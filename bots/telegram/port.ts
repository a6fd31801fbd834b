/**
 * Renders canonical outbound messages for Telegram: text split at 4096 characters, choices as an
 * inline keyboard (callback_data = the choice id, at most 64 bytes) on the last piece. Platform
 * failures become DeliveryErrors the outbox understands: 429 and 5xx are retried (never sooner than
 * retry_after), 403 (blocked, deactivated) marks the conversation unreachable.
 */
import { GrammyError, HttpError, InlineKeyboard, type Api } from 'grammy';
import { DeliveryError } from '../../core/errors.js';
import type { ChannelPort, OutboundMessage } from '../../core/messages/types.js';
import { numberedChoices, splitText } from '../shared/webhook.js';
import { TELEGRAM } from './translate.js';

export const TELEGRAM_TEXT_LIMIT = 4096;
const CALLBACK_DATA_LIMIT = 64;

export function keyboardFor(message: OutboundMessage): InlineKeyboard | undefined {
  const choices = (message.choices ?? []).filter((c) => Buffer.byteLength(c.id, 'utf8') <= CALLBACK_DATA_LIMIT);
  if (!choices.length) return undefined;
  return InlineKeyboard.from(choices.map((choice) => [InlineKeyboard.text(choice.label, choice.id)]));
}

export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof GrammyError) {
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after;
      return new DeliveryError('DELIVERY_RETRYABLE', 'telegram rate limit', seconds ? seconds * 1000 : undefined);
    }
    if (err.error_code >= 500) return new DeliveryError('DELIVERY_RETRYABLE', `telegram ${err.error_code}`);
    if (err.error_code === 403) return new DeliveryError('DELIVERY_UNREACHABLE', 'telegram: the user blocked the bot or is deactivated');
    return new DeliveryError('DELIVERY_REJECTED', `telegram ${err.error_code}`);
  }
  if (err instanceof HttpError) return new DeliveryError('DELIVERY_RETRYABLE', 'telegram unreachable');
  return new DeliveryError('DELIVERY_RETRYABLE', 'telegram send failed');
}

export function telegramPort(api: Api): ChannelPort {
  return {
    channel: TELEGRAM,
    async send(target, message) {
      const chatId = target.externalChatId ?? target.externalUserId;
      if (!chatId) throw new DeliveryError('DELIVERY_UNREACHABLE', 'telegram: no chat id (conversation erased?)');
      const keyboard = keyboardFor(message);
      // Choices that could not become buttons stay answerable by number.
      const text = keyboard && keyboard.inline_keyboard.length === message.choices?.length ? message.text : numberedChoices(message.text, message.choices);
      const pieces = splitText(text || ' ', TELEGRAM_TEXT_LIMIT);
      let lastId: number | undefined;
      try {
        for (const [i, piece] of pieces.entries()) {
          const last = i === pieces.length - 1;
          const sent = await api.sendMessage(chatId, piece, {
            ...(last && keyboard ? { reply_markup: keyboard } : {}),
            link_preview_options: { is_disabled: true },
          });
          lastId = sent.message_id;
        }
      } catch (err) {
        throw toDeliveryError(err);
      }
      return lastId === undefined ? undefined : { channelMessageId: String(lastId) };
    },
    async typing(target) {
      const chatId = target.externalChatId ?? target.externalUserId;
      if (chatId) await api.sendChatAction(chatId, 'typing');
    },
  };
}
