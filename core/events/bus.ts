/**
 * Events other parts of the product react to live (console queue, web chat sockets). One process
 * uses the in-memory bus; instances sharing PostgreSQL can use a LISTEN/NOTIFY implementation of
 * the same interface. Events carry ids only, never message text.
 */
import { EventEmitter } from 'node:events';

export type BusEvent =
  | { type: 'handoff.created'; handoffId: string; conversationId: string; priority: number }
  | { type: 'handoff.updated'; handoffId: string; conversationId: string }
  | { type: 'conversation.message'; conversationId: string; messageId: string; direction: 'inbound' | 'outbound' }
  | { type: 'outbox.pending'; conversationId: string }
  | { type: 'sla.breached'; handoffId: string; conversationId: string }
  /** A channel refused to deliver (e.g. Zalo's interaction window closed): the console tells the counsellor. */
  | { type: 'delivery.rejected'; conversationId: string; channel: string; reason: string; author: 'bot' | 'counsellor' | 'system' }
  /** Failed console logins service-wide passed the alert threshold: logins are slowed, supervisors are told. */
  | { type: 'security.login_pressure'; attempts: number; windowSeconds: number }
  /** Console sessions ended (logout, account disabled, password changed, 2FA reset): their live sockets close. */
  | { type: 'staff.sessions_ended'; userId: string; sessionId?: string; exceptSessionId?: string };

export interface EventBus {
  publish(event: BusEvent): void;
  subscribe(listener: (event: BusEvent) => void): () => void;
}

export class InMemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: BusEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: BusEvent) => void): () => void {
    const safe = (event: BusEvent) => {
      try {
        listener(event);
      } catch {
        // a failing listener must not break the publisher's turn
      }
    };
    this.emitter.on('event', safe);
    return () => this.emitter.off('event', safe);
  }
}
