/**
 * Reports against a real (in-memory) PGlite, without the HTTP app: submit (sealed body, hashed
 * secret code, routing), follow-up lookup with the wrong-code limits per user and per reference
 * (fixed windows), additions and updates, the rate-limit counters, and messages with a reporter.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../../core/db/client.js';
import type { Tx } from '../../../core/db/tx.js';
import { parseDataKeys } from '../../../core/privacy/field-crypto.js';
import { verifyFollowUpCode } from '../../../core/reports/codes.js';
import { decryptJson } from '../../../core/reports/crypto.js';
import { answerFromReporter, REPORT_MESSAGE_MAX, SHOWN_PER_FOLLOW_UP, threadOf, threadSummaries, unreadForReporter, writeToReporter } from '../../../core/reports/messages.js';
import { clearAttempts, countAttempt, hit, isLimited } from '../../../core/reports/rate-limit.js';
import { addToReport, FOLLOW_UP_LIMITS, lookupReport, submitReport, updateReport, type ReportDraft } from '../../../core/reports/service.js';
import { createFastTestDatabase } from '../../helpers/cached-db.js';

const keys = parseDataKeys(`k1:${randomBytes(32).toString('base64')}`);
let database: Database;
let db: Db;
beforeAll(async () => {
  database = await createFastTestDatabase();
  db = database.prisma;
}, 120_000);
afterAll(async () => {
  await database?.close();
});
beforeEach(async () => {
  await db.$executeRawUnsafe(`TRUNCATE "Report", "ReportAddition", "ReportMessage", "RateLimit", "StaffUser" CASCADE`);
});

const tx = <T>(fn: (tx: Tx) => Promise<T>) => db.$transaction(fn);
const T0 = new Date('2026-05-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const submit = (draft: Partial<ReportDraft> = {}, now = T0) =>
  tx((t) => submitReport(t, keys, { draft: { category: 'scam_compound', details: 'khu Kim Sa', ...draft }, channel: 'telegram', conversationId: null, now }));

describe('submitting a report', () => {
  it('stores the body sealed to its reference, only a hash of the secret code, and the referral suggestion', async () => {
    const r = await submit({ province: 'lang-son', inDanger: true, contactConsent: true, contact: '0912 345 678' });
    expect(r.referenceCode).toMatch(/^HT-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(r.followUpCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(r.referralTargets).toEqual(['police', 'border_guard', 'local_authority', 'social_services']);
    const row = await db.report.findUniqueOrThrow({ where: { id: r.id } });
    expect(row.referenceCode).toBe(r.referenceCode);
    expect(row.category).toBe('scam_compound');
    expect(row.province).toBe('lang-son');
    expect(row.country).toBeNull();
    expect(row.inDanger).toBe(true);
    expect(row.channel).toBe('telegram');
    expect(row.status).toBe('received');
    expect(row.createdAt).toEqual(T0);
    expect(row.referralTargets).toEqual(r.referralTargets);
    expect(JSON.stringify(row)).not.toContain(r.followUpCode);
    expect(JSON.stringify(row)).not.toContain('Kim Sa');
    expect(await verifyFollowUpCode(r.followUpCode, row.followUpHash)).toBe(true);
    expect(decryptJson(keys, row.encryptedPayload, r.referenceCode)).toEqual({ category: 'scam_compound', details: 'khu Kim Sa', province: 'lang-son', inDanger: true, contactConsent: true, contact: '0912 345 678' });
  });

  it('keeps a contact only with consent, the country only abroad, and counts children for social services', async () => {
    const r = await submit({ category: 'other', contact: '0912', contactConsent: false, country: 'KH', province: 'ha-noi', peopleAge: 'child' });
    const row = await db.report.findUniqueOrThrow({ where: { id: r.id } });
    expect(row.country).toBeNull();
    expect(row.inDanger).toBe(false);
    expect((decryptJson(keys, row.encryptedPayload, r.referenceCode) as { contact: unknown }).contact).toBeNull();
    expect(r.referralTargets).toContain('social_services');
    const noContact = await submit({ contactConsent: true });
    expect((decryptJson(keys, (await db.report.findUniqueOrThrow({ where: { id: noContact.id } })).encryptedPayload, noContact.referenceCode) as { contact: unknown }).contact).toBeNull();
    const abroad = await submit({ category: 'other', province: 'abroad', country: 'KH', peopleAge: 'both' });
    const abroadRow = await db.report.findUniqueOrThrow({ where: { id: abroad.id } });
    expect(abroadRow.country).toBe('KH');
    expect(abroad.referralTargets).toEqual(['police', 'border_guard', 'local_authority', 'social_services']);
    const adults = await submit({ category: 'other', peopleAge: 'adult' });
    expect(adults.referralTargets).toEqual(['police', 'local_authority']);
    expect((await db.report.findUniqueOrThrow({ where: { id: adults.id } })).province).toBeNull();
  });

  it('gives every report its own codes', async () => {
    const a = await submit();
    const b = await submit();
    expect(a.referenceCode).not.toBe(b.referenceCode);
    expect(a.followUpCode).not.toBe(b.followUpCode);
  });
});

describe('following up', () => {
  const look = (reference: string, code: string, userHash = 'user-a', now = T0) => tx((t) => lookupReport(t, { reference, code, userHash, now }));

  it('finds the report with its reference and secret code, typed loosely', async () => {
    const r = await submit();
    await tx((t) => addToReport(t, keys, { reportId: r.id, text: 'more', channel: 'zalo', now: T0 }));
    const found = await look(r.referenceCode.toLowerCase().replaceAll('-', ' '), r.followUpCode.toLowerCase());
    expect(found).toEqual({ ok: true, reportId: r.id, referenceCode: r.referenceCode, status: 'received', additions: 1, createdAt: T0 });
    // A success is not counted against anyone.
    expect(await db.rateLimit.count()).toBe(0);
  });

  it('answers a wrong code, an unknown reference and garbage the same way, and counts each', async () => {
    const r = await submit();
    const other = await submit();
    expect(await look(r.referenceCode, other.followUpCode)).toEqual({ ok: false, reason: 'invalid' });
    expect(await look('HT-2222-2222', r.followUpCode)).toEqual({ ok: false, reason: 'invalid' });
    expect(await look('not a reference', r.followUpCode)).toEqual({ ok: false, reason: 'invalid' });
    expect(await look(r.referenceCode, 'not a code')).toEqual({ ok: false, reason: 'invalid' });
    const rows = await db.rateLimit.findMany();
    // One user counter (4 misses), and per-reference counters only for well-formed references.
    expect(rows.map((x) => x.count).sort()).toEqual([1, 2, 4]);
    for (const row of rows) {
      expect(row.key).toMatch(/^followup:(user|ref):[A-Za-z0-9_-]{43}$/);
      expect(row.key).not.toContain('user-a');
      expect(row.key).not.toContain(r.referenceCode);
    }
  });

  it(`limits one user to ${FOLLOW_UP_LIMITS.user.max} misses an hour, then refuses even the right code until the window ends`, async () => {
    expect(FOLLOW_UP_LIMITS.user).toEqual({ max: 5, seconds: 3600 });
    const r = await submit();
    for (let i = 0; i < 5; i++) expect((await look(`HT-2222-222${3 + i}`, r.followUpCode, 'guesser', at(i))).ok).toBe(false);
    expect(await look(r.referenceCode, r.followUpCode, 'guesser', at(10))).toEqual({ ok: false, reason: 'rate_limited' });
    expect(await look(r.referenceCode, r.followUpCode, 'guesser', at(3599))).toEqual({ ok: false, reason: 'rate_limited' });
    // Another person is not limited by it.
    expect((await look(r.referenceCode, r.followUpCode, 'someone-else', at(10))).ok).toBe(true);
    // A new window starts an hour after the first miss.
    expect((await look(r.referenceCode, r.followUpCode, 'guesser', at(3600))).ok).toBe(true);
  });

  it(`limits one reference to ${FOLLOW_UP_LIMITS.reference.max} misses an hour, whoever guesses`, async () => {
    expect(FOLLOW_UP_LIMITS.reference).toEqual({ max: 10, seconds: 3600 });
    const r = await submit();
    for (let i = 0; i < 10; i++) expect(await look(r.referenceCode, 'ZZZZ-ZZZZ', `guesser-${i}`, at(i))).toEqual({ ok: false, reason: 'invalid' });
    expect(await look(r.referenceCode, r.followUpCode, 'the-reporter', at(20))).toEqual({ ok: false, reason: 'rate_limited' });
    // Other references are not affected.
    const other = await submit();
    expect((await look(other.referenceCode, other.followUpCode, 'the-reporter', at(20))).ok).toBe(true);
    expect((await look(r.referenceCode, r.followUpCode, 'the-reporter', at(3600))).ok).toBe(true);
  });

  it('a limited attempt is not counted again', async () => {
    const r = await submit();
    for (let i = 0; i < 6; i++) await look('HT-3333-3333', r.followUpCode, 'guesser', at(i));
    expect((await db.rateLimit.findMany()).map((x) => x.count).sort()).toEqual([5, 5]);
  });
});

describe('adding to and updating a saved report', () => {
  it('adds a sealed addition bound to the reference', async () => {
    const r = await submit();
    expect(await tx((t) => addToReport(t, keys, { reportId: r.id, text: 'thêm chi tiết', channel: 'zalo', now: at(60) }))).toBe(true);
    const [addition] = await db.reportAddition.findMany();
    expect(addition!.channel).toBe('zalo');
    expect(addition!.createdAt).toEqual(at(60));
    expect(addition!.encryptedPayload).not.toContain('chi tiết');
    expect(decryptJson(keys, addition!.encryptedPayload, r.referenceCode)).toEqual({ text: 'thêm chi tiết' });
    expect((await db.report.findUniqueOrThrow({ where: { id: r.id } })).updatedAt).toEqual(at(60));
    expect(await tx((t) => addToReport(t, keys, { reportId: '00000000-0000-4000-8000-000000000000', text: 'x', channel: 'zalo', now: T0 }))).toBe(false);
    expect(await db.reportAddition.count()).toBe(1);
  });

  it('merges only the allowed answers (short strings, booleans, null) and re-routes', async () => {
    const r = await submit({ category: 'other', province: 'ha-noi', contactConsent: true, contact: '0912' });
    const ok = await tx((t) =>
      updateReport(t, keys, {
        reportId: r.id,
        patch: { peopleAge: 'child', suspects: 'x'.repeat(2500), evidence: null, when: 42, category: 'forced_labour', province: 'abroad', inDanger: true, peopleGender: false },
        now: at(120),
      }),
    );
    expect(ok).toBe(true);
    const row = await db.report.findUniqueOrThrow({ where: { id: r.id } });
    const body = decryptJson<Record<string, unknown>>(keys, row.encryptedPayload, r.referenceCode);
    expect(body.peopleAge).toBe('child');
    expect(body.suspects).toBe('x'.repeat(2000));
    expect(body.evidence).toBeNull();
    expect(body.peopleGender).toBe(false);
    expect(body).not.toHaveProperty('when');
    expect(body.category).toBe('other');
    expect(body.province).toBe('ha-noi');
    expect(body).not.toHaveProperty('inDanger');
    expect(body.contact).toBe('0912');
    expect(row.category).toBe('other');
    expect(row.referralTargets).toEqual(['police', 'local_authority', 'social_services']);
    expect(row.updatedAt).toEqual(at(120));

    await tx((t) => updateReport(t, keys, { reportId: r.id, patch: { contactConsent: false, peopleAge: 'adult' }, now: at(180) }));
    const after = await db.report.findUniqueOrThrow({ where: { id: r.id } });
    const body2 = decryptJson<Record<string, unknown>>(keys, after.encryptedPayload, r.referenceCode);
    expect(body2.contact).toBeNull();
    expect(body2.suspects).toBe('x'.repeat(2000));
    expect(after.referralTargets).toEqual(['police', 'local_authority']);
    await tx((t) => updateReport(t, keys, { reportId: r.id, patch: { peopleAge: 'both' }, now: at(190) }));
    expect((await db.report.findUniqueOrThrow({ where: { id: r.id } })).referralTargets).toContain('social_services');

    expect(await tx((t) => updateReport(t, keys, { reportId: '00000000-0000-4000-8000-000000000000', patch: {}, now: T0 }))).toBe(false);
  });
});

describe('rate-limit counters', () => {
  const w = { max: 3, seconds: 60 };
  it('count hits in a fixed window and start a new one when it is over', async () => {
    expect(await tx((t) => isLimited(t, 'k', w, T0))).toBe(false);
    expect(await tx((t) => hit(t, 'k', w, T0))).toBe(1);
    expect(await tx((t) => hit(t, 'k', w, at(10)))).toBe(2);
    expect(await tx((t) => isLimited(t, 'k', w, at(10)))).toBe(false);
    expect(await tx((t) => hit(t, 'k', w, at(59)))).toBe(3);
    expect(await tx((t) => isLimited(t, 'k', w, at(59)))).toBe(true);
    expect(await tx((t) => isLimited(t, 'k', w, at(60)))).toBe(false);
    expect(await tx((t) => hit(t, 'k', w, at(60)))).toBe(1);
    const row = await db.rateLimit.findUniqueOrThrow({ where: { key: 'k' } });
    expect(row).toMatchObject({ count: 1, windowStart: at(60) });
    expect(await tx((t) => isLimited(t, 'other', w, at(60)))).toBe(false);
  });

  it('count attempts atomically, window by window, and forget them', async () => {
    expect(await countAttempt(db, 'login:x', w, T0)).toBe(1);
    expect(await countAttempt(db, 'login:x', w, at(30))).toBe(2);
    const counts = await Promise.all(Array.from({ length: 5 }, () => countAttempt(db, 'login:x', w, at(40))));
    expect(counts.sort()).toEqual([3, 4, 5, 6, 7]);
    expect(await countAttempt(db, 'login:x', w, at(59))).toBe(8);
    expect(await countAttempt(db, 'login:x', w, at(60))).toBe(1);
    expect((await db.rateLimit.findUniqueOrThrow({ where: { key: 'login:x' } })).windowStart).toEqual(at(60));
    expect(await countAttempt(db, 'login:x', w, at(61))).toBe(2);
    expect(await countAttempt(db, 'login:y', w, at(61))).toBe(1);
    await clearAttempts(db, 'login:x');
    expect(await db.rateLimit.findUnique({ where: { key: 'login:x' } })).toBeNull();
    expect(await db.rateLimit.findUnique({ where: { key: 'login:y' } })).not.toBeNull();
  });
});

describe('messages with a reporter', () => {
  const staff = (alias: string | null, email = `s${randomBytes(4).toString('hex')}@111.vn`) =>
    db.staffUser.create({ data: { email, displayName: 'Real Name', role: 'supervisor', passwordHash: 'x', alias } });

  it('staff write (trimmed, 1 to 2000 characters); the reporter reads the unread ones oldest first, five at a time', async () => {
    const r = await submit();
    const lan = await staff('Lan');
    const anon = await staff(null);
    expect(REPORT_MESSAGE_MAX).toBe(2000);
    expect(SHOWN_PER_FOLLOW_UP).toBe(5);
    await expect(writeToReporter(db, { reportId: r.id, staffId: lan.id, text: '   ', now: T0 })).rejects.toMatchObject({ code: 'BAD_INPUT', httpStatus: 400 });
    await expect(writeToReporter(db, { reportId: r.id, staffId: lan.id, text: 'x'.repeat(2001), now: T0 })).rejects.toThrow('1 to 2000 characters');
    const first = await writeToReporter(db, { reportId: r.id, staffId: lan.id, text: `  ${'y'.repeat(2000)}  `, now: at(1) });
    expect(first.createdAt).toEqual(at(1));
    expect((await db.report.findUniqueOrThrow({ where: { id: r.id } })).updatedAt).toEqual(at(1));
    for (let i = 2; i <= 7; i++) await writeToReporter(db, { reportId: r.id, staffId: i === 3 ? anon.id : lan.id, text: `m${i}`, now: at(i) });

    const seen = await tx((t) => unreadForReporter(t, { reportId: r.id, locale: 'en', now: at(100) }));
    expect(seen.more).toBe(2);
    expect(seen.messages.map((m) => m.text)).toEqual(['y'.repeat(2000), 'm2', 'm3', 'm4', 'm5']);
    expect(seen.messages.map((m) => m.alias)).toEqual(['Counsellor Lan', 'Counsellor Lan', 'Counsellor 111', 'Counsellor Lan', 'Counsellor Lan']);
    expect(seen.messages[1]!.createdAt).toEqual(at(2));
    const next = await tx((t) => unreadForReporter(t, { reportId: r.id, locale: 'vi', now: at(200) }));
    expect(next).toEqual({ messages: [{ alias: 'Tư vấn viên Lan', text: 'm6', createdAt: at(6) }, { alias: 'Tư vấn viên Lan', text: 'm7', createdAt: at(7) }], more: 0 });
    expect(await tx((t) => unreadForReporter(t, { reportId: r.id, locale: 'vi', now: at(300) }))).toEqual({ messages: [], more: 0 });
    const thread = await threadOf(db, r.id);
    expect(thread.map((m) => m.readAt)).toEqual([at(100), at(100), at(100), at(100), at(100), at(200), at(200)]);
  });

  it('the reporter answers (trimmed, cut at 2000), and staff see the whole thread with who is owed an answer', async () => {
    const r = await submit();
    const other = await submit();
    const lan = await staff('Lan');
    await writeToReporter(db, { reportId: r.id, staffId: lan.id, text: 'Bạn an toàn không?', now: at(1) });
    expect(await tx((t) => answerFromReporter(t, { reportId: r.id, text: '   ', channel: 'zalo', now: at(2) }))).toBe(false);
    expect(await tx((t) => answerFromReporter(t, { reportId: '00000000-0000-4000-8000-000000000000', text: 'hi', channel: 'zalo', now: at(2) }))).toBe(false);
    expect(await tx((t) => answerFromReporter(t, { reportId: r.id, text: ` ${'z'.repeat(2100)} `, channel: 'zalo', now: at(3) }))).toBe(true);
    expect((await db.report.findUniqueOrThrow({ where: { id: r.id } })).updatedAt).toEqual(at(3));

    const thread = await threadOf(db, r.id);
    expect(thread).toHaveLength(2);
    expect(thread[0]).toMatchObject({ author: 'staff', alias: 'Tư vấn viên Lan', text: 'Bạn an toàn không?', channel: null, createdAt: at(1), readAt: null });
    expect(thread[1]).toMatchObject({ author: 'reporter', alias: null, text: 'z'.repeat(2000), channel: 'zalo', createdAt: at(3) });

    const summaries = await threadSummaries(db, [r.id, other.id]);
    expect(summaries.get(r.id)).toEqual({ total: 2, fromReporter: 1, lastFromReporterAt: at(3), awaitingAnswer: true });
    expect(summaries.has(other.id)).toBe(false);
    await writeToReporter(db, { reportId: r.id, staffId: lan.id, text: 'Cảm ơn', now: at(4) });
    expect((await threadSummaries(db, [r.id])).get(r.id)).toEqual({ total: 3, fromReporter: 1, lastFromReporterAt: at(3), awaitingAnswer: false });
    expect((await threadSummaries(db, [])).size).toBe(0);
    // Unread for the reporter: staff messages only.
    const unread = await tx((t) => unreadForReporter(t, { reportId: r.id, locale: 'en', now: at(5) }));
    expect(unread.messages.map((m) => m.text)).toEqual(['Bạn an toàn không?', 'Cảm ơn']);
  });
});
