/** What an effect handler may do during a turn: read and write through the turn's transaction and queue replies. */
import type { FlowEvent, Locale, ReplyOutput } from '../../flows/types.js';
import type { Tx } from '../db/tx.js';
import type { BusEvent } from '../events/bus.js';
import type { OutboundMessage } from '../messages/types.js';

export interface TurnContext {
  readonly tx: Tx;
  readonly conversationId: string;
  readonly channel: string;
  readonly now: Date;
  locale: Locale;
  /** Queue a rendered message (e.g. directory results built from database rows). */
  send(message: OutboundMessage): void;
  /** Queue a reply rendered from an i18n key in the conversation's language. */
  say(reply: Omit<ReplyOutput, 'type'>): void;
  /** The person's message of this turn held a secret (a follow-up code): keep only a masked copy of it. */
  maskInbound(): void;
  /** Publishes a bus event once the turn has committed (ids only). */
  publish?(event: BusEvent): void;
}

/** Performs a flow's `effect` output; may return an event fed back to the flow in the same turn. */
export type EffectHandler = (ctx: TurnContext, data: Record<string, unknown>) => Promise<FlowEvent | void>;
