/**
 * The canonical message model every channel shares. Adapters build InboundMessage from a
 * platform update and render OutboundMessage into platform widgets; nothing else crosses.
 */

export type InboundKind = 'text' | 'choice' | 'location' | 'attachment' | 'command';

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

export interface InboundPayload {
  /** What the user typed (kind text), or a caption. */
  text?: string;
  /** The id of a choice the user pressed (kind choice). */
  choiceId?: string;
  /** Command name without the slash, lower case (kind command), e.g. "start", "lang". */
  command?: string;
  commandArgs?: string;
  location?: GeoPoint;
  /** Attachments are never downloaded or stored; only their type is noted. */
  attachmentType?: string;
}

export interface InboundMessage {
  channel: string;
  /** The platform's user id; only its HMAC is stored unless the channel needs it to reply. */
  externalUserId: string;
  /** Where replies go, when different from the user id (Telegram chat id, LINE group). */
  externalChatId?: string;
  /** A structured reply address (Bot Framework conversation reference), stored sealed in Conversation.channelRef. */
  channelRef?: Record<string, string>;
  /** The platform's unique id for this update/message: the dedupe key. */
  externalMessageId: string;
  kind: InboundKind;
  payload: InboundPayload;
  /** The language the platform reports for the user (e.g. Telegram language_code). */
  localeHint?: string;
  /** A channel-specific reply handle that expires (LINE reply token), used by that channel's renderer. */
  replyHandle?: { value: string; expiresAt: string };
}

export interface OutboundChoice {
  id: string;
  label: string;
}

/** A rendered message ready for any channel: text in the conversation's language and choices. */
export interface OutboundMessage {
  text: string;
  choices?: OutboundChoice[];
  /** Optional list rendering hint (directory results): channels with cards may show them as cards. */
  cards?: { title: string; body: string; choiceId?: string; /** The label of the card's button (else its title). */ action?: string }[];
  /** Marks messages that must stand out (emergency guidance). */
  urgent?: boolean;
  /** Who wrote it. */
  author: 'bot' | 'counsellor' | 'system';
  /** A counsellor's display alias ("Tư vấn viên Lan"), never the account's name: channels name the writer with it. */
  sender?: string;
  /** Parts of the text that are secrets (a follow-up code): masked in the stored copy once delivered. */
  secrets?: string[];
}

/** Where a channel delivers an outbound message. */
export interface DeliveryTarget {
  conversationId: string;
  /** The outbound message's id: a stable key for platforms that deduplicate retried sends (LINE). */
  messageId?: string;
  externalUserId: string | null;
  externalChatId: string | null;
  /** The conversation's structured reply address (opened from Conversation.channelRef), if the channel keeps one. */
  channelRef?: Record<string, string> | null;
  replyHandle?: { value: string; expiresAt: string } | null;
}

/** A channel's outgoing side. Throws DeliveryError for platform failures. */
export interface ChannelPort {
  channel: string;
  send(target: DeliveryTarget, message: OutboundMessage): Promise<{ channelMessageId?: string } | void>;
  /** Shows "typing…" to the user while a counsellor writes, where the platform supports it. Best effort. */
  typing?(target: DeliveryTarget): Promise<void>;
}
