/**
 * Bot Framework activities ↔ the canonical model for Azure Bot Service channels (Teams, Web Chat,
 * Messenger...). Choices become suggested actions (imBack with the label, which every channel
 * supports and the runtime resolves as a typed choice), lists become hero cards.
 */
import { ActivityTypes, CardFactory, MessageFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { InboundMessage, OutboundMessage } from '../../core/messages/types.js';

export const BOTFRAMEWORK = 'botframework';

export function toInbound(activity: Partial<Activity>): InboundMessage | null {
  if (!activity.from?.id || !activity.conversation?.id) return null;
  const reference = JSON.stringify(TurnContext.getConversationReference(activity as Activity));
  const who = {
    channel: BOTFRAMEWORK,
    externalUserId: `${activity.channelId ?? 'unknown'}:${activity.from.id}`,
    externalChatId: reference,
    ...(activity.locale ? { localeHint: activity.locale } : {}),
  };
  if (activity.type === ActivityTypes.ConversationUpdate) {
    // Someone other than the bot joined: start with the welcome (once per conversation).
    const joined = (activity.membersAdded ?? []).some((m) => m.id !== activity.recipient?.id);
    if (!joined) return null;
    const user = (activity.membersAdded ?? []).find((m) => m.id !== activity.recipient?.id)!;
    return { ...who, externalUserId: `${activity.channelId ?? 'unknown'}:${user.id}`, externalMessageId: `join:${activity.conversation.id}:${user.id}`, kind: 'command', payload: { command: 'start' } };
  }
  if (activity.type !== ActivityTypes.Message || !activity.id) return null;
  const value = activity.value as { choiceId?: unknown } | undefined;
  if (typeof value?.choiceId === 'string') return { ...who, externalMessageId: activity.id, kind: 'choice', payload: { choiceId: value.choiceId } };
  const text = activity.text?.trim();
  if (text) return { ...who, externalMessageId: activity.id, kind: 'text', payload: { text: text.slice(0, 10_000) } };
  if (activity.attachments?.length) return { ...who, externalMessageId: activity.id, kind: 'attachment', payload: { attachmentType: activity.attachments[0]!.contentType ?? 'file' } };
  return null;
}

export function toActivity(message: OutboundMessage): Partial<Activity> {
  const labels = (message.choices ?? []).map((c) => c.label);
  if (message.cards?.length) {
    const cards = message.cards.map((card) => CardFactory.heroCard(card.title, card.body, undefined, card.choiceId ? [{ type: 'imBack', title: card.action ?? card.title, value: card.action ?? card.title }] : undefined));
    const activity = MessageFactory.list(cards, message.text);
    if (labels.length) activity.suggestedActions = MessageFactory.suggestedActions(labels).suggestedActions!;
    return activity;
  }
  return labels.length ? MessageFactory.suggestedActions(labels, message.text) : MessageFactory.text(message.text);
}

export function referenceOf(externalChatId: string | null): Partial<ConversationReference> | null {
  if (!externalChatId) return null;
  try {
    return JSON.parse(externalChatId) as Partial<ConversationReference>;
  } catch {
    return null;
  }
}
