/**
 * Bot Framework activities ↔ the canonical model for Azure Bot Service channels (Teams, Web Chat,
 * Messenger...). Choices become suggested actions (imBack with the label, which every channel
 * supports and the runtime resolves as a typed choice), lists become hero cards.
 */
import { ActivityTypes, CardFactory, MessageFactory, type Activity, type ConversationReference } from 'botbuilder';
import { z } from 'zod';
import { scopedMessageId } from '../../core/messages/dedupe.js';
import type { ChannelRef } from '../../core/privacy/channel-ref.js';
import type { InboundMessage, OutboundMessage } from '../../core/messages/types.js';

export const BOTFRAMEWORK = 'botframework';

/**
 * The part of an activity this bot and botbuilder read, checked before either reads it; the rest is
 * let through and ignored.
 */
const account = z.object({ id: z.string().min(1).max(1024), name: z.string().max(1024).optional(), role: z.string().max(64).optional() }).loose();
export const botActivity = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().min(1).max(1024).optional(),
    channelId: z.string().min(1).max(64),
    serviceUrl: z.string().url().max(2048),
    from: account.optional(),
    recipient: account.optional(),
    conversation: z.object({ id: z.string().min(1).max(2048), tenantId: z.string().max(256).optional(), isGroup: z.boolean().optional(), conversationType: z.string().max(64).optional() }).loose(),
    text: z.string().max(100_000).optional(),
    locale: z.string().max(35).optional(),
    value: z.unknown().optional(),
    name: z.string().max(256).optional(),
    replyToId: z.string().max(1024).optional(),
    deliveryMode: z.string().max(64).optional(),
    membersAdded: z.array(account).max(100).optional(),
    membersRemoved: z.array(account).max(100).optional(),
    attachments: z.array(z.object({ contentType: z.string().max(256).optional() }).loose()).max(50).optional(),
    channelData: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

/**
 * The least a proactive reply needs: channel, service URL, conversation (and its tenant), the
 * user's and the bot's channel ids. Never the user's display name, Azure AD object id, or the
 * rest of the activity. Stored through core/privacy/channel-ref.ts (Conversation.channelRef).
 */
export function minimalReference(activity: Partial<Activity>, userId: string): ChannelRef | null {
  if (!activity.serviceUrl || !activity.channelId || !activity.conversation?.id || !activity.recipient?.id) return null;
  const tenantId = activity.conversation.tenantId ?? (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return {
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    conversationId: activity.conversation.id,
    ...(typeof tenantId === 'string' && tenantId ? { tenantId } : {}),
    userId,
    botId: activity.recipient.id,
  };
}

export function toInbound(activity: Partial<Activity>): InboundMessage | null {
  if (!activity.from?.id || !activity.conversation?.id) return null;
  const reference = minimalReference(activity, activity.from.id);
  if (!reference) return null;
  // Activity ids are unique only inside a conversation: the dedupe key carries the conversation.
  const messageId = (id: string) => scopedMessageId(activity.conversation!.id, id);
  const who = {
    channel: BOTFRAMEWORK,
    externalUserId: `${activity.channelId ?? 'unknown'}:${activity.from.id}`,
    channelRef: reference,
    ...(activity.locale ? { localeHint: activity.locale } : {}),
  };
  if (activity.type === ActivityTypes.ConversationUpdate) {
    // Someone other than the bot joined: start with the welcome (once per conversation).
    const joined = (activity.membersAdded ?? []).some((m) => m.id !== activity.recipient?.id);
    if (!joined) return null;
    const user = (activity.membersAdded ?? []).find((m) => m.id !== activity.recipient?.id)!;
    return {
      ...who,
      externalUserId: `${activity.channelId ?? 'unknown'}:${user.id}`,
      channelRef: { ...reference, userId: user.id },
      externalMessageId: messageId(`join:${user.id}`),
      kind: 'command',
      payload: { command: 'start' },
    };
  }
  if (activity.type !== ActivityTypes.Message || !activity.id) return null;
  const value = activity.value as { choiceId?: unknown } | undefined;
  if (typeof value?.choiceId === 'string') return { ...who, externalMessageId: messageId(activity.id), kind: 'choice', payload: { choiceId: value.choiceId.slice(0, 128) } };
  const text = activity.text?.trim();
  if (text) return { ...who, externalMessageId: messageId(activity.id), kind: 'text', payload: { text: text.slice(0, 10_000) } };
  if (activity.attachments?.length) return { ...who, externalMessageId: messageId(activity.id), kind: 'attachment', payload: { attachmentType: (activity.attachments[0]!.contentType ?? 'file').slice(0, 64) } };
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

/** The conversation reference botbuilder's continueConversation needs, from the stored minimal one. */
export function referenceOf(ref: ChannelRef | null | undefined): Partial<ConversationReference> | null {
  if (!ref?.serviceUrl || !ref.conversationId || !ref.channelId || !ref.botId) return null;
  return {
    channelId: ref.channelId,
    serviceUrl: ref.serviceUrl,
    conversation: { id: ref.conversationId, isGroup: false, conversationType: 'personal', name: '', ...(ref.tenantId ? { tenantId: ref.tenantId } : {}) },
    bot: { id: ref.botId, name: '' },
    ...(ref.userId ? { user: { id: ref.userId, name: '' } } : {}),
  };
}
