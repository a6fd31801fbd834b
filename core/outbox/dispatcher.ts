/**
 * Delivers pending outbound messages through each channel's send port.
 *
 * - Claims lease messages (core/outbox/claim.ts): only each conversation's oldest pending message,
 *   FOR UPDATE SKIP LOCKED, so instances sharing PostgreSQL never take the same one and order is
 *   kept per conversation. A claim reads a bounded number of rows whatever the backlog.
 * - Sends run concurrently across conversations (up to `concurrency`); a slow platform does not hold
 *   up the others: as sends finish, their outcomes are written in one batched statement and the
 *   freed slots are claimed again (a conversation's next message becomes claimable once its
 *   predecessor is recorded as sent).
 * - A failed send stays pending with exponential backoff (its followers wait with it); a crash
 *   loses nothing because a row is only marked sent after the platform accepted it (at least once).
 */
import { openChannelRef } from '../privacy/channel-ref.js';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { DeliveryError } from '../errors.js';
import type { ChannelPort, OutboundMessage } from '../messages/types.js';
import { DEFAULT_BACKOFF, nextDelayMs, type BackoffPolicy } from './backoff.js';
import { claimDue, openClaimed, recordOutcomes, type ClaimedMessage, type DeliveryOutcome } from './claim.js';
import { sealText, type DataKeyring } from '../privacy/field-crypto.js';
import { sealPayloadValue } from '../privacy/encrypted-client.js';

export interface OutboxOptions {
  db: Db;
  ports: Map<string, ChannelPort>;
  logger: Logger;
  maxAttempts: number;
  backoff?: BackoffPolicy;
  /** How long a claimed message is reserved for one sender before another may try. */
  leaseMs?: number;
  /** Fallback poll when nothing wakes the dispatcher (a lease expired on another instance, a backoff ended). */
  pollMs?: number;
  /** Sends in flight at once (across conversations). */
  concurrency?: number;
  /** @deprecated use concurrency */
  batchSize?: number;
  clock?: () => Date;
  onSent?: (channel: string) => void;
  onFailed?: (channel: string, code: string) => void;
  /** Messages that failed for good, once recorded (core/outbox/dead-letters.ts makes them visible). Errors are logged, never thrown. */
  onDeadLetters?: (failed: { id: string; conversationId: string; code: string }[]) => Promise<unknown> | void;
  /** Called with how many rows each flush wrote (the embedded database's maintenance counts them). */
  onWrites?: (rows: number) => void;
  /** Opens what the claim reads and seals what a delivered message keeps (raw SQL bypasses the sealing client). */
  dataKeys: DataKeyring;
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** True while the last claim came back full: there is a backlog. */
  private backlogged = false;

  constructor(private readonly options: OutboxOptions) {}

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private get concurrency(): number {
    return this.options.concurrency ?? this.options.batchSize ?? 32;
  }

  /** True when the last claim filled every free slot (more is waiting than this instance sends at once). */
  get saturated(): boolean {
    return this.backlogged;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Sweep now (coalesced with a sweep already running). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.sweep()
      .then(() => undefined, (err: unknown) => this.options.logger.error({ err: errorSummary(err) }, 'outbox sweep failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.options.pollMs ?? 1_000);
          this.timer.unref();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Delivers every message that is due (and those that become deliverable meanwhile); returns how many were sent. */
  async sweep(): Promise<number> {
    const limit = this.concurrency;
    const inFlight = new Set<Promise<void>>();
    const done: DeliveryOutcome[] = [];
    let sent = 0;
    let exhausted = false;
    for (;;) {
      // Outcomes first: a conversation's next message is claimable only once this one is recorded.
      if (done.length) {
        const batch = done.splice(0);
        await recordOutcomes(this.options.db, batch);
        this.options.onWrites?.(batch.length);
        const dead = batch.flatMap((o) => (o.kind === 'failed' ? [{ id: o.id, conversationId: o.conversationId, code: o.code }] : []));
        if (dead.length && this.options.onDeadLetters) {
          await Promise.resolve(this.options.onDeadLetters(dead)).catch((err: unknown) => this.options.logger.error({ err: errorSummary(err) }, 'outbox: dead letters not handled'));
        }
        exhausted = false;
      }
      const free = limit - inFlight.size;
      // Claim when at least a quarter of the slots are free (or nothing is in flight), not per finished send.
      if (!exhausted && free > 0 && (free >= Math.ceil(limit / 4) || !inFlight.size)) {
        const claimed = (await this.claim(free)).map((row) => openClaimed(this.options.dataKeys, row));
        this.backlogged = claimed.length === free;
        if (!claimed.length) exhausted = true;
        for (const row of claimed) {
          const work: Promise<void> = this.deliver(row).then((outcome) => {
            if (outcome.kind === 'sent') sent += 1;
            done.push(outcome);
          }).finally(() => inFlight.delete(work));
          inFlight.add(work);
        }
        if (claimed.length && inFlight.size < limit) continue;
      }
      if (!inFlight.size) {
        if (done.length) continue;
        if (exhausted) {
          this.backlogged = false;
          return sent;
        }
        continue;
      }
      await Promise.race(inFlight);
    }
  }

  private claim(batch: number): Promise<ClaimedMessage[]> {
    const now = this.now();
    const leaseUntil = new Date(now.getTime() + (this.options.leaseMs ?? 30_000));
    // Followers of messages in flight (here or on another instance) are due but not claimable:
    // look a little further than the batch so they do not starve the claim.
    return claimDue(this.options.db, { now, leaseUntil, batch, window: Math.min(1_000, batch * 4 + 64) });
  }

  /** One delivery attempt of a claimed message; never throws. */
  private async deliver(message: ClaimedMessage): Promise<DeliveryOutcome> {
    const { logger } = this.options;
    const port = this.options.ports.get(message.channel);
    const payload = (message.payload ?? {}) as Partial<OutboundMessage> & { replyHandle?: { value: string; expiresAt: string }; maskedText?: string; maskedCards?: unknown };
    try {
      if (!port) throw new DeliveryError('DELIVERY_RETRYABLE', `channel ${message.channel} is not enabled`);
      await port.send(
        {
          conversationId: message.conversationId,
          messageId: message.id,
          externalUserId: message.externalUserId,
          externalChatId: message.externalChatId,
          channelRef: openChannelRef(message.channelRef),
          replyHandle: payload.replyHandle ?? null,
        },
        {
          // A counsellor's reply names its writer by alias ("Tư vấn viên Lan: …"); channels that show a sender name also get it apart.
          text: message.author === 'counsellor' && payload.sender ? `${payload.sender}: ${message.text ?? ''}` : (message.text ?? ''),
          author: message.author === 'user' ? 'bot' : message.author,
          ...(payload.sender ? { sender: payload.sender } : {}),
          ...(payload.choices ? { choices: payload.choices } : {}),
          ...(payload.cards ? { cards: payload.cards } : {}),
          ...(payload.urgent ? { urgent: true } : {}),
        },
      );
      this.options.onSent?.(message.channel);
      const masked = afterSend(payload);
      return {
        id: message.id,
        kind: 'sent',
        at: this.now(),
        ...(masked.text !== undefined ? { masked: { text: sealText(this.options.dataKeys, masked.text), payload: sealPayloadValue(this.options.dataKeys, masked.payload) as object } } : {}),
      };
    } catch (err) {
      const failure = err instanceof DeliveryError ? err : new DeliveryError('DELIVERY_RETRYABLE', 'send failed');
      const giveUp = !failure.retryable || message.attempts >= this.options.maxAttempts;
      if (giveUp) {
        this.options.onFailed?.(message.channel, failure.code);
        logger.warn({ messageId: message.id, channel: message.channel, code: failure.code, attempts: message.attempts }, 'outbound message failed for good');
        return { id: message.id, kind: 'failed', code: failure.code, conversationId: message.conversationId, unreachable: failure.code === 'DELIVERY_UNREACHABLE' };
      }
      const delay = nextDelayMs(message.attempts, this.options.backoff ?? DEFAULT_BACKOFF, failure.retryAfterMs);
      logger.info({ messageId: message.id, channel: message.channel, code: failure.code, attempts: message.attempts, retryInMs: delay }, 'outbound message will be retried');
      return { id: message.id, kind: 'retry', at: new Date(this.now().getTime() + delay), code: failure.code, conversationId: message.conversationId, seq: message.seq };
    }
  }
}

/** Error details safe for logs: name, code and message of our own errors only, never payloads. */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, ...(typeof code === 'string' ? { code } : {}), message: err.message.slice(0, 300) };
  }
  return { name: 'NonError' };
}

/** Once delivered, a message that carried a secret (a follow-up code) keeps only its masked copy. */
export function afterSend(payload: { maskedText?: string; maskedCards?: unknown } & Record<string, unknown>): { text?: string; payload?: object } {
  if (typeof payload.maskedText !== 'string') return {};
  const { maskedText, maskedCards, ...rest } = payload;
  return { text: maskedText, payload: { ...rest, ...(maskedCards ? { cards: maskedCards } : {}) } };
}
