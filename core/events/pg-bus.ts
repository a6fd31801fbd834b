/**
 * The event bus across instances sharing PostgreSQL: LISTEN/NOTIFY on one channel.
 *
 * - Local subscribers get an event at once, in process (as the in-memory bus does); other instances
 *   get it through `pg_notify`, and ignore their own notifications by instance id.
 * - Events are published after their transaction committed (that is how the runtime and the queue
 *   publish), batched: every event published in the same tick goes out in one statement.
 * - A dedicated connection LISTENs, outside Prisma's pool. When it drops it reconnects with backoff
 *   (p-retry) and then emits `bus.resync` locally: notifications sent while it was away are lost,
 *   so listeners re-read what they show. If publishing fails, the next successful publish first tells
 *   the other instances to resync.
 * - Payloads are ids only (see ./bus.ts), well under NOTIFY's 8,000-byte limit.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { busEventSchema, EVENT_ORIGIN, InMemoryEventBus, type BusEvent, type BusListener, type EventBus } from './bus.js';

export const DEFAULT_BUS_CHANNEL = 'hotline_events';

export interface PgEventBusOptions {
  connectionString: string;
  logger: Logger;
  channel?: string;
  /** Backoff between reconnection attempts. */
  reconnect?: { minMs: number; maxMs: number };
  /** How often the listening connection is checked (a silent network loss is noticed by this). */
  heartbeatMs?: number;
}

interface Envelope {
  /** Instance that published it. */
  o: string;
  e: unknown;
}

export class PgEventBus implements EventBus {
  readonly instanceId = randomUUID();
  private readonly local = new InMemoryEventBus();
  private readonly channel: string;
  private readonly publisher: pg.Pool;
  private listener: pg.Client | undefined;
  private reconnecting: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;
  private queue: BusEvent[] = [];
  private flushing: Promise<void> | undefined;
  /** A publish failed: other instances may have missed events. */
  private missed = false;
  private closed = false;
  /** Times the listening connection was re-established (tests and metrics). */
  reconnects = 0;

  constructor(private readonly options: PgEventBusOptions) {
    this.channel = options.channel ?? DEFAULT_BUS_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel)) throw new Error('bus channel must be a lower-case SQL identifier');
    this.publisher = new pg.Pool({ connectionString: options.connectionString, max: 1, application_name: 'hotline-111 bus publish' });
    this.publisher.on('error', () => {}); // an idle publisher connection that drops is replaced on next use
  }

  /** Connects the listening connection (retrying with backoff); resolves once it LISTENs. */
  async start(): Promise<void> {
    await this.connect();
    const every = this.options.heartbeatMs ?? 15_000;
    this.heartbeat = setInterval(() => void this.checkListener(), every);
    this.heartbeat.unref();
  }

  publish(event: BusEvent): void {
    this.local.publish(event);
    if (this.closed) return;
    this.queue.push(event);
    if (!this.flushing) this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  subscribe(listener: BusListener): () => void {
    return this.local.subscribe(listener);
  }

  /** Resolves when every event published so far was handed to PostgreSQL (or given up on). */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.flushed();
    this.closed = true;
    this.abort.abort();
    clearInterval(this.heartbeat);
    await this.reconnecting?.catch(() => {});
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    await this.publisher.end().catch(() => {});
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, 500);
        const payloads = batch.map((e) => JSON.stringify({ o: this.instanceId, e } satisfies Envelope));
        const resync = this.missed;
        if (resync) payloads.unshift(JSON.stringify({ o: this.instanceId, e: { type: 'bus.resync' } } satisfies Envelope));
        try {
          await pRetry(() => this.publisher.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n', [this.channel, payloads]), {
            retries: 3,
            minTimeout: 50,
            maxTimeout: 500,
            signal: this.abort.signal,
          });
          this.missed = false;
        } catch (err) {
          this.missed = true;
          this.options.logger.warn({ code: (err as { code?: string }).code ?? 'BUS_PUBLISH_FAILED', events: batch.length }, 'event bus: publish to other instances failed');
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private receive(message: pg.Notification): void {
    if (message.channel !== this.channel || !message.payload) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message.payload) as Envelope;
    } catch {
      return;
    }
    if (!envelope || envelope.o === this.instanceId) return;
    const parsed = busEventSchema.safeParse(envelope.e);
    if (parsed.success) this.local.publish(parsed.data, EVENT_ORIGIN.REMOTE);
  }

  private connect(): Promise<void> {
    this.reconnecting ??= pRetry(
      async () => {
        const client = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true, application_name: 'hotline-111 bus listen' });
        client.on('notification', (message) => this.receive(message));
        client.on('error', () => this.lost(client));
        client.on('end', () => this.lost(client));
        try {
          await client.connect();
          await client.query(`LISTEN ${this.channel}`);
        } catch (err) {
          await client.end().catch(() => {});
          throw err;
        }
        if (this.closed) {
          await client.end().catch(() => {});
          return;
        }
        this.listener = client;
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: this.options.reconnect?.minMs ?? 100,
        maxTimeout: this.options.reconnect?.maxMs ?? 5_000,
        randomize: true,
        signal: this.abort.signal,
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (attemptNumber === 1 || attemptNumber % 10 === 0) {
            this.options.logger.warn({ code: (error as { code?: string }).code ?? 'BUS_CONNECT_FAILED', attempt: attemptNumber }, 'event bus: cannot listen on PostgreSQL yet; retrying');
          }
        },
      },
    ).finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  /** The listening connection dropped: reconnect, then tell local listeners they may have missed events. */
  private lost(client: pg.Client): void {
    if (client !== this.listener || this.closed) return;
    this.listener = undefined;
    client.removeAllListeners('notification');
    void client.end().catch(() => {});
    this.options.logger.warn('event bus: lost the PostgreSQL listening connection; reconnecting');
    void this.connect().then(
      () => {
        if (this.closed) return;
        this.reconnects += 1;
        this.options.logger.info({ reconnects: this.reconnects }, 'event bus: listening again; asking listeners to resync');
        this.local.publish({ type: 'bus.resync' });
      },
      () => {},
    );
  }

  private async checkListener(): Promise<void> {
    const client = this.listener;
    if (!client || this.closed) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('heartbeat timed out')), 10_000);
        }),
      ]);
    } catch {
      this.lost(client);
    } finally {
      clearTimeout(timer);
    }
  }
}
