/**
 * The per-reference limit on follow-up lookups: wrong codes for one reference from many people
 * (each under their own per-person limit) still lock that reference, even for the right code,
 * while other references stay open. Without it, guessing a reference's code from many accounts
 * would be unbounded.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FOLLOW_UP_LIMITS, lookupReport, submitReport } from '../../../core/reports/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

const now = new Date('2026-12-01T10:00:00Z');
const file = () =>
  app.database.prisma.$transaction((tx) => submitReport(tx, app.keys.encryptionKey, { draft: { category: 'other' }, channel: 'test', conversationId: null, now }));
const lookup = (reference: string, code: string, userHash: string, at = now) =>
  app.database.prisma.$transaction((tx) => lookupReport(tx, { reference, code, userHash, now: at }));

it('locks a reference after its limit of wrong codes from different people, for the right code too', async () => {
  const target = await file();
  const other = await file();
  const wrong = target.followUpCode === '2222-2222' ? '3333-3333' : '2222-2222';
  // Each guess from another person: no one reaches the per-person limit.
  for (let i = 0; i < FOLLOW_UP_LIMITS.reference.max; i++) {
    expect(await lookup(target.referenceCode, wrong, `guesser-${i}`)).toEqual({ ok: false, reason: 'invalid' });
  }
  // The reference is now locked for everyone, whatever the code.
  expect(await lookup(target.referenceCode, target.followUpCode, 'the-reporter')).toEqual({ ok: false, reason: 'rate_limited' });
  expect(await lookup(target.referenceCode, wrong, 'yet-another')).toEqual({ ok: false, reason: 'rate_limited' });
  // Another reference is not affected, nor is a fresh person elsewhere.
  expect(await lookup(other.referenceCode, other.followUpCode, 'the-reporter')).toMatchObject({ ok: true, referenceCode: other.referenceCode });
  // After the window the reference opens again.
  const later = new Date(now.getTime() + (FOLLOW_UP_LIMITS.reference.seconds + 1) * 1000);
  expect(await lookup(target.referenceCode, target.followUpCode, 'the-reporter', later)).toMatchObject({ ok: true, referenceCode: target.referenceCode });
});
