/** core/ops/channel-health.ts: last inbound time, pending and failed outbound counts, last delivery error per channel. */
import { afterEach, expect, it } from 'vitest';
import { DeliveryError } from '../../core/errors.js';
import { channelHealth } from '../../core/ops/channel-health.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

it('reports each channel: configured, last inbound, pending and failed outbound, last delivery error', async () => {
  let now = new Date('2026-03-01T08:00:00Z');
  const test = recordingPort('test');
  const other = recordingPort('other');
  app = await createTestApp({ ports: [test, other], clock: () => now });
  const configured = { test: true, other: true, line: false };

  const empty = await channelHealth(app.database.prisma, configured);
  expect(empty.map((c) => c.channel)).toEqual(['other', 'test', 'line']);
  expect(empty.find((c) => c.channel === 'test')).toEqual({ channel: 'test', configured: true, lastInboundAt: null, pendingOutbound: 0, failedOutbound: 0, lastDeliveryError: null });

  // test: a's reply is refused for good; later b's reply is to be retried; other: delivered.
  await app.runtime.handleTurn(textFrom('a', 'hello'));
  test.failNext.push(new DeliveryError('DELIVERY_UNREACHABLE', 'blocked'));
  await app.outbox.sweep();
  expect(await app.database.prisma.message.count({ where: { channel: 'test', direction: 'outbound', status: 'pending' } })).toBe(0);
  now = new Date('2026-03-01T08:05:00Z');
  await app.runtime.handleTurn(textFrom('b', 'hello'));
  await app.runtime.handleTurn(textFrom('c', 'hello', 'other'));
  test.failNext.push(new DeliveryError('DELIVERY_RETRYABLE', '502'));
  await app.outbox.sweep();

  const health = await channelHealth(app.database.prisma, configured);
  const t = health.find((c) => c.channel === 'test')!;
  expect(t.lastInboundAt?.toISOString()).toBe('2026-03-01T08:05:00.000Z');
  expect(t.failedOutbound).toBeGreaterThanOrEqual(1);
  expect(await app.database.prisma.message.count({ where: { channel: 'test', direction: 'outbound', status: 'failed' } })).toBe(t.failedOutbound);
  expect(t.pendingOutbound).toBeGreaterThanOrEqual(1);
  expect(t.lastDeliveryError).toMatchObject({ code: 'DELIVERY_RETRYABLE', status: 'pending' });
  expect(t.lastDeliveryError!.nextAttemptAt!.getTime()).toBeGreaterThan(now.getTime());
  const o = health.find((c) => c.channel === 'other')!;
  expect(o).toMatchObject({ configured: true, pendingOutbound: 0, failedOutbound: 0, lastDeliveryError: null });
  expect(o.lastInboundAt?.toISOString()).toBe('2026-03-01T08:05:00.000Z');
  expect(health.find((c) => c.channel === 'line')).toMatchObject({ configured: false, lastInboundAt: null });
});
