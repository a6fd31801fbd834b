/**
 * Events other parts of the product react to live (console queue, web chat sockets, the outbox and
 * SLA loops). One process uses the in-memory bus; instances sharing PostgreSQL use the
 * LISTEN/NOTIFY implementation of the same interface (./pg-bus.ts). Events carry ids only, never
 * message text: a listener reads what changed from the database.
 */
import { EventEmitter } from 'node:events';
import { z } from 'zod';

const id = z.string().min(1).max(128);

/** Every event, as a schema: events arriving from another instance are parsed with it. */
export const busEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('handoff.created'), handoffId: id, conversationId: id, priority: z.number() }),
  z.object({ type: z.literal('handoff.updated'), handoffId: id, conversationId: id }),
  z.object({ type: z.literal('conversation.message'), conversationId: id, messageId: id, direction: z.enum(['inbound', 'outbound']) }),
  /** A counsellor is typing to this conversation (the user's web chat socket may be on another instance). */
  z.object({ type: z.literal('conversation.typing'), conversationId: id }),
  /** Messages are waiting and the instance that wrote them is busy: any instance may help send them. */
  z.object({ type: z.literal('outbox.pending'), conversationId: id }),
  z.object({ type: z.literal('sla.breached'), handoffId: id, conversationId: id }),
  /** A channel refused to deliver (e.g. Zalo's interaction window closed): the console tells the counsellor. */
  z.object({ type: z.literal('delivery.rejected'), conversationId: id, channel: z.string().max(32), reason: z.string().max(64), author: z.enum(['bot', 'counsellor', 'system']) }),
  /**
   * Events may have been missed (the bus reconnected to PostgreSQL): listeners re-read what they
   * show (the console reloads its queue, web chat sockets re-read from their watermark).
   */
  z.object({ type: z.literal('bus.resync') }),
  /** Failed console logins service-wide passed the alert threshold: logins are slowed, supervisors are told. */
  z.object({ type: z.literal('security.login_pressure'), attempts: z.number(), windowSeconds: z.number() }),
  /** Console sessions ended (logout, account disabled, password changed, 2FA reset): their live sockets close. */
  z.object({ type: z.literal('staff.sessions_ended'), userId: id, sessionId: id.optional(), exceptSessionId: id.optional() }),
  /** Fair assignment (core/queue/assign.ts): a waiting chat is offered to one counsellor until `expiresAt` (ISO). */
  z.object({ type: z.literal('handoff.offered'), handoffId: id, conversationId: id, counsellorId: id, expiresAt: z.string().max(40) }),
  /** An offer is over: taken, declined, lapsed, claimed by someone else, or the chat closed. */
  z.object({ type: z.literal('handoff.offer_ended'), handoffId: id, conversationId: id, counsellorId: id, reason: z.enum(['accepted', 'declined', 'expired', 'claimed', 'closed']) }),
  /** A counsellor became available or away, or changed their capacity. */
  z.object({ type: z.literal('staff.availability'), userId: id }),
  /** A message between the hotline and a report's anonymous reporter was written (core/reports/messages.ts). */
  z.object({ type: z.literal('report.message'), reportId: id, author: z.enum(['staff', 'reporter']) }),
  /** An outbound message failed for good (after OUTBOX_MAX_ATTEMPTS or a permanent refusal): ids and the error code only. */
  z.object({ type: z.literal('delivery.failed'), conversationId: id, messageId: id, code: z.string().max(64) }),
]);

export type BusEvent = z.infer<typeof busEventSchema>;

/** Where an event came from: this process, or another instance (through PostgreSQL). */
export interface EventOrigin {
  remote: boolean;
}

export type BusListener = (event: BusEvent, origin: EventOrigin) => void;

export interface EventBus {
  publish(event: BusEvent): void;
  subscribe(listener: BusListener): () => void;
  /** Releases connections (the PostgreSQL bus); a no-op in memory. */
  close?(): Promise<void>;
}

const LOCAL: EventOrigin = Object.freeze({ remote: false });
const REMOTE: EventOrigin = Object.freeze({ remote: true });
export const EVENT_ORIGIN = { LOCAL, REMOTE } as const;

export class InMemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: BusEvent, origin: EventOrigin = LOCAL): void {
    this.emitter.emit('event', event, origin);
  }

  subscribe(listener: BusListener): () => void {
    const safe = (event: BusEvent, origin: EventOrigin) => {
      try {
        listener(event, origin);
      } catch {
        // a failing listener must not break the publisher's turn
      }
    };
    this.emitter.on('event', safe);
    return () => this.emitter.off('event', safe);
  }
}
