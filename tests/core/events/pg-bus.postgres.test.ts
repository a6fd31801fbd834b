/**
 * The LISTEN/NOTIFY bus on a real PostgreSQL (TEST_DATABASE_URL): events cross instances, in order,
 * once; an instance does not hear itself twice; a dropped listening connection comes back and
 * tells its listeners to resync; invalid notifications are ignored.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../core/events/bus.js';
import { PgEventBus } from '../../../core/events/pg-bus.js';
import { createLogger } from '../../../core/logging.js';
import { postgresSuiteMode, TEST_DATABASE_URL } from '../../helpers/db.js';

const mode = postgresSuiteMode();
const logger = createLogger('silent');
const buses: PgEventBus[] = [];

async function bus(channel: string): Promise<{ bus: PgEventBus; seen: BusEvent[]; remote: boolean[] }> {
  const b = new PgEventBus({ connectionString: TEST_DATABASE_URL!, logger, channel, reconnect: { minMs: 20, maxMs: 200 } });
  buses.push(b);
  await b.start();
  const seen: BusEvent[] = [];
  const remote: boolean[] = [];
  b.subscribe((e, origin) => {
    seen.push(e);
    remote.push(origin.remote);
  });
  return { bus: b, seen, remote };
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

describe.runIf(mode !== 'skip')('PostgreSQL event bus', () => {
  it('runs in CI', () => {
    expect(mode, 'TEST_DATABASE_URL must be set in CI').toBe('run');
  });

  it('delivers events to the other instance in order, and once to the publisher', async () => {
    const channel = `bus_test_${Date.now()}`;
    const a = await bus(channel);
    const b = await bus(channel);
    const events: BusEvent[] = Array.from({ length: 50 }, (_, i) => ({ type: 'conversation.message', conversationId: `c${i % 3}`, messageId: `m${i}`, direction: 'outbound' }));
    events.push({ type: 'handoff.created', handoffId: 'h1', conversationId: 'c1', priority: 3 });
    for (const e of events) a.bus.publish(e);
    await expect.poll(() => b.seen.length, { timeout: 30_000 }).toBe(events.length);
    expect(b.seen).toEqual(events);
    // Subscribers can tell events from other instances (metrics count only their own).
    expect(b.remote.every(Boolean)).toBe(true);
    expect(a.remote.some(Boolean)).toBe(false);
    await a.bus.flushed();
    // The publisher's own listeners got each event once (locally), not again from PostgreSQL.
    await b.bus.flushed();
    b.bus.publish({ type: 'sla.breached', handoffId: 'h1', conversationId: 'c1' });
    await expect.poll(() => a.seen.at(-1)?.type, { timeout: 30_000 }).toBe('sla.breached');
    expect(a.seen).toEqual([...events, { type: 'sla.breached', handoffId: 'h1', conversationId: 'c1' }]);
  });

  it('reconnects after its listening connection is killed, emits bus.resync, and hears events again', async () => {
    const channel = `bus_test_${Date.now()}_r`;
    const a = await bus(channel);
    const b = await bus(channel);
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hotline-111 bus listen' AND query LIKE 'LISTEN ${channel}%' `);
      expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    await expect.poll(() => b.seen.some((e) => e.type === 'bus.resync'), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => a.seen.some((e) => e.type === 'bus.resync'), { timeout: 30_000 }).toBe(true);
    expect(b.bus.reconnects).toBeGreaterThanOrEqual(1);
    a.bus.publish({ type: 'handoff.updated', handoffId: 'h2', conversationId: 'c2' });
    await expect.poll(() => b.seen.some((e) => e.type === 'handoff.updated'), { timeout: 30_000 }).toBe(true);
  });

  it('ignores notifications that are not events, and text it was never meant to carry', async () => {
    const channel = `bus_test_${Date.now()}_x`;
    const a = await bus(channel);
    const raw = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await raw.connect();
    try {
      await raw.query(`SELECT pg_notify($1, $2)`, [channel, 'not json']);
      await raw.query(`SELECT pg_notify($1, $2)`, [channel, JSON.stringify({ o: 'x', e: { type: 'nope' } })]);
      await raw.query(`SELECT pg_notify($1, $2)`, [channel, JSON.stringify({ o: 'x', e: { type: 'conversation.typing', conversationId: 'c9', text: 'secret words' } })]);
    } finally {
      await raw.end();
    }
    await expect.poll(() => a.seen.length, { timeout: 30_000 }).toBe(1);
    expect(a.seen).toEqual([{ type: 'conversation.typing', conversationId: 'c9' }]);
  });
});
