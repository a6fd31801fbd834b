/**
 * A turn's round trips to the database, counted at the driver adapter (every statement, BEGIN and
 * COMMIT): an ordinary message costs at most four, an escalation at most six.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import { pgliteAdapter } from '../../../core/db/pglite.js';
import { choiceFrom, createTestApp, textFrom, type TestApp } from '../../helpers/app.js';
import { countingFactory, type RoundTripCounter } from '../../helpers/round-trips.js';

describe('round trips per turn', () => {
  let app: TestApp;
  let counter: RoundTripCounter;
  beforeAll(async () => {
    const handle = pgliteAdapter(new PGlite());
    const counting = countingFactory(handle.factory);
    counter = counting.counter;
    app = await createTestApp({ database: await openDatabase({ kind: 'pglite', dataDir: null }, { handle: { ...handle, factory: counting.factory } }) });
    // Background work (metrics, the outbox) must not be counted: nothing else runs in this app.
  });
  afterAll(async () => {
    await app.close();
  });

  const turnCost = async (run: () => Promise<unknown>) => {
    counter.reset();
    await run();
    return { count: counter.count, log: counter.log.map((l) => l.trim().split('\n')[0]!.slice(0, 80)) };
  };

  it('first contact, a button, typed text: four each (BEGIN, open, save, COMMIT)', async () => {
    const first = await turnCost(() => app.runtime.handleTurn(textFrom('rt-user', 'xin chào')));
    expect(first.count, first.log.join('\n')).toBeLessThanOrEqual(4);
    const button = await turnCost(() => app.runtime.handleTurn(choiceFrom('rt-user', 'lang.vi')));
    expect(button.count, button.log.join('\n')).toBeLessThanOrEqual(4);
    const typed = await turnCost(() => app.runtime.handleTurn(textFrom('rt-user', 'menu')));
    expect(typed.count, typed.log.join('\n')).toBeLessThanOrEqual(4);
    expect(typed.log[0]).toBe('BEGIN');
    expect(typed.log.at(-1)).toBe('COMMIT');
  });

  it('an emergency that escalates: at most six', async () => {
    await app.runtime.handleTurn(textFrom('rt-sos', 'xin chào'));
    await app.runtime.handleTurn(choiceFrom('rt-sos', 'lang.vi'));
    const sos = await turnCost(() => app.runtime.handleTurn(textFrom('rt-sos', 'cứu em với, em đang bị nhốt')));
    expect(sos.count, sos.log.join('\n')).toBeLessThanOrEqual(6);
    const handoffs = await app.database.prisma.handoff.count({ where: { state: 'waiting' } });
    expect(handoffs).toBeGreaterThanOrEqual(1);
  });

  it('a message while waiting for a counsellor: four', async () => {
    const waiting = await turnCost(() => app.runtime.handleTurn(textFrom('rt-sos', 'vâng ạ')));
    expect(waiting.count, waiting.log.join('\n')).toBeLessThanOrEqual(4);
  });
});
