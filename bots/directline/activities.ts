/**
 * Translation between Bot Framework activities and the canonical model, for the built-in Direct
 * Line: stored messages become activities (choices as suggested actions, lists as hero cards, the
 * user's own messages echoed with their clientActivityID), and posted activities become
 * InboundMessages. Rendering only; every decision is the runtime's.
 */
import { z } from 'zod';
import { scopedMessageId, unscopedMessageId } from '../../core/messages/dedupe.js';
import type { InboundMessage, OutboundChoice } from '../../core/messages/types.js';

export const WEBCHAT = 'webchat';

export interface StoredMessage {
  id: string;
  seq: bigint;
  direction: 'inbound' | 'outbound';
  author: 'user' | 'bot' | 'counsellor' | 'system';
  text: string | null;
  payload: unknown;
  channelMessageId: string | null;
  createdAt: Date;
}

export interface Activity {
  type: string;
  id: string;
  timestamp: string;
  channelId: string;
  conversation: { id: string };
  from: { id: string; name?: string; role: 'user' | 'bot' };
  text?: string;
  textFormat?: 'plain';
  suggestedActions?: { to: string[]; actions: CardAction[] };
  attachments?: { contentType: string; content: unknown }[];
  attachmentLayout?: 'list' | 'carousel';
  channelData?: Record<string, unknown>;
}

interface CardAction {
  type: 'messageBack';
  title: string;
  displayText: string;
  value: { choiceId: string };
}

const action = (choice: OutboundChoice): CardAction => ({ type: 'messageBack', title: choice.label, displayText: choice.label, value: { choiceId: choice.id } });

export function toActivity(conversationId: string, m: StoredMessage, choiceLabel: (m: StoredMessage) => string | undefined, names: Record<string, string>): Activity {
  const base = { id: m.id, timestamp: m.createdAt.toISOString(), channelId: 'directline', conversation: { id: conversationId } };
  const payload = (m.payload ?? {}) as { choiceId?: string; choices?: OutboundChoice[]; cards?: { title: string; body: string; choiceId?: string; action?: string }[]; urgent?: boolean; sender?: string };
  if (m.direction === 'inbound') {
    const text = m.text ?? (payload.choiceId ? choiceLabel(m) ?? '' : '');
    return {
      ...base,
      type: 'message',
      from: { id: 'user', role: 'user' },
      text,
      ...(m.channelMessageId ? { channelData: { clientActivityID: unscopedMessageId(conversationId, m.channelMessageId) } } : {}),
    };
  }
  const activity: Activity = {
    ...base,
    type: 'message',
    from: { id: m.author === 'counsellor' ? 'counsellor' : 'hotline-111', name: (m.author === 'counsellor' ? payload.sender : undefined) ?? names[m.author] ?? '111', role: 'bot' },
    text: m.text ?? '',
    textFormat: 'plain',
    ...(payload.urgent ? { channelData: { urgent: true } } : {}),
  };
  if (payload.cards?.length) {
    activity.attachmentLayout = 'list';
    activity.attachments = payload.cards.map((card) => ({
      contentType: 'application/vnd.microsoft.card.hero',
      content: { title: card.title, text: card.body, ...(card.choiceId ? { buttons: [action({ id: card.choiceId, label: card.action ?? card.title })] } : {}) },
    }));
  }
  if (payload.choices?.length) activity.suggestedActions = { to: [], actions: payload.choices.map(action) };
  return activity;
}

const postedSchema = z.object({
  type: z.string().max(64),
  text: z.string().max(10_000).optional(),
  locale: z.string().max(35).optional(),
  value: z.unknown().optional(),
  name: z.string().max(128).optional(),
  channelData: z.object({ clientActivityID: z.string().max(128).optional() }).passthrough().optional(),
});

/** A posted activity as an InboundMessage, or null for activities the bot does not act on (typing, events). */
export function fromActivity(conversationId: string, body: unknown, fallbackId: string): { inbound: InboundMessage | null; id: string } {
  const parsed = postedSchema.safeParse(body);
  if (!parsed.success) return { inbound: null, id: '' };
  const activity = parsed.data;
  const id = activity.channelData?.clientActivityID ?? fallbackId;
  if (activity.type !== 'message') return { inbound: null, id };
  // clientActivityID is unique only inside its conversation: the dedupe key carries the conversation.
  const who = { channel: WEBCHAT, externalUserId: conversationId, externalChatId: conversationId, externalMessageId: scopedMessageId(conversationId, id), ...(activity.locale ? { localeHint: activity.locale } : {}) };
  const choiceId = (activity.value as { choiceId?: unknown } | undefined)?.choiceId;
  if (typeof choiceId === 'string' && choiceId.length <= 128) return { inbound: { ...who, kind: 'choice', payload: { choiceId } }, id };
  const text = activity.text?.trim();
  if (!text) return { inbound: null, id };
  return { inbound: { ...who, kind: 'text', payload: { text } }, id };
}

export const postedActivity = postedSchema;
