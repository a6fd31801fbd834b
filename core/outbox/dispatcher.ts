/**
 * Delivers pending outbound messages through each channel's send port. Messages are claimed with
 * a lease (FOR UPDATE SKIP LOCKED, so instances sharing PostgreSQL never take the same one), one
 * head-of-line message per conversation at a time so order is kept. A failed send stays pending
 * with exponential backoff; a crash loses nothing because the row is only marked sent after the
 * platform accepted it.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { DeliveryError } from '../errors.js';
import type { ChannelPort, OutboundMessage } from '../messages/types.js';
import { DEFAULT_BACKOFF, nextDelayMs, type BackoffPolicy } from './backoff.js';

export interface OutboxOptions {
  db: Db;
  ports: Map<string, ChannelPort>;
  logger: Logger;
  maxAttempts: number;
  backoff?: BackoffPolicy;
  /** How long a claimed message is reserved for one sender before another may try. */
  leaseMs?: number;
  pollMs?: number;
  batchSize?: number;
  clock?: () => Date;
  onSent?: (channel: string) => void;
  onFailed?: (channel: string, code: string) => void;
}

interface ClaimedRow {
  id: string;
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly options: OutboxOptions) {}

  private now(): Date {
    return this.options.clock?.() ?? new Date();
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

  /** Delivers every message that is due; returns how many were sent. */
  async sweep(): Promise<number> {
    let sent = 0;
    for (;;) {
      const claimed = await this.claim();
      if (!claimed.length) return sent;
      const results = await Promise.all(claimed.map((row) => this.deliver(row.id)));
      sent += results.filter(Boolean).length;
    }
  }

  private async claim(): Promise<ClaimedRow[]> {
    const now = this.now();
    const leaseUntil = new Date(now.getTime() + (this.options.leaseMs ?? 30_000));
    const batch = this.options.batchSize ?? 20;
    return this.options.db.$queryRaw<ClaimedRow[]>`
      UPDATE "Message" SET "nextAttemptAt" = ${leaseUntil}, "attempts" = "attempts" + 1
      WHERE "id" IN (
        SELECT m."id" FROM "Message" m
        WHERE m."direction" = 'outbound' AND m."status" = 'pending' AND m."nextAttemptAt" <= ${now}
          AND NOT EXISTS (
            SELECT 1 FROM "Message" e
            WHERE e."conversationId" = m."conversationId" AND e."direction" = 'outbound'
              AND e."status" = 'pending' AND e."seq" < m."seq")
        ORDER BY m."seq"
        LIMIT ${batch}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id"`;
  }

  /** One delivery attempt of a claimed message. Returns true when it was sent. */
  private async deliver(id: string): Promise<boolean> {
    const { db, logger } = this.options;
    const message = await db.message.findUnique({
      where: { id },
      include: { conversation: { include: { identity: { select: { externalUserId: true } } } } },
    });
    if (!message || message.status !== 'pending') return false;
    const port = this.options.ports.get(message.channel);
    const payload = (message.payload ?? {}) as Partial<OutboundMessage> & { replyHandle?: { value: string; expiresAt: string }; maskedText?: string };
    try {
      if (!port) throw new DeliveryError('DELIVERY_RETRYABLE', `channel ${message.channel} is not enabled`);
      await port.send(
        {
          conversationId: message.conversationId,
          messageId: message.id,
          externalUserId: message.conversation.identity.externalUserId,
          externalChatId: message.conversation.externalChatId,
          replyHandle: payload.replyHandle ?? null,
        },
        {
          text: message.text ?? '',
          author: message.author === 'user' ? 'bot' : message.author,
          ...(payload.choices ? { choices: payload.choices } : {}),
          ...(payload.cards ? { cards: payload.cards } : {}),
          ...(payload.urgent ? { urgent: true } : {}),
        },
      );
      await db.message.update({ where: { id }, data: { status: 'sent', sentAt: this.now(), nextAttemptAt: null, lastErrorCode: null, ...afterSend(payload) } });
      this.options.onSent?.(message.channel);
      return true;
    } catch (err) {
      const failure = err instanceof DeliveryError ? err : new DeliveryError('DELIVERY_RETRYABLE', 'send failed');
      const giveUp = !failure.retryable || message.attempts >= this.options.maxAttempts;
      if (giveUp) {
        await db.message.update({ where: { id }, data: { status: 'failed', nextAttemptAt: null, lastErrorCode: failure.code } });
        if (failure.code === 'DELIVERY_UNREACHABLE') {
          await db.conversation.update({ where: { id: message.conversationId }, data: { unreachable: true } });
        }
        this.options.onFailed?.(message.channel, failure.code);
        logger.warn({ messageId: id, channel: message.channel, code: failure.code, attempts: message.attempts }, 'outbound message failed for good');
      } else {
        const delay = nextDelayMs(message.attempts, this.options.backoff ?? DEFAULT_BACKOFF, failure.retryAfterMs);
        await db.message.update({
          where: { id },
          data: { nextAttemptAt: new Date(this.now().getTime() + delay), lastErrorCode: failure.code },
        });
        logger.info({ messageId: id, channel: message.channel, code: failure.code, attempts: message.attempts, retryInMs: delay }, 'outbound message will be retried');
      }
      return false;
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
export function afterSend(payload: { maskedText?: string } & Record<string, unknown>): { text?: string; payload?: object } {
  if (typeof payload.maskedText !== 'string') return {};
  const { maskedText, ...rest } = payload;
  return { text: maskedText, payload: rest };
}
