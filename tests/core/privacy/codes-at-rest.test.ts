/**
 * Secrets people are shown once are nowhere in the database in a usable form: the report follow-up
 * code and the web chat's resume code, neither as shown (dashed) nor compact, in any table
 * (raw rows, so sealed columns count only as ciphertext). They still work, so the stored form is a
 * one-way function of the code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelModules } from '../../../bots/index.js';
import { lookupReport } from '../../../core/reports/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { findAtRest } from '../../helpers/db-scan.js';
import { driver } from '../../flows/helpers.js';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await createTestApp({ channelModules });
  base = await app.listen();
});
afterAll(async () => {
  await app.close();
});

const forms = (code: string) => [code, code.replace(/-/g, '')];

describe('codes at rest', () => {
  it('the report follow-up code is stored neither dashed nor compact, and still opens the report', async () => {
    const u = driver(app, 'code-at-rest');
    await u.text('hello');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('cat.scam_compound');
    await u.choose('place.unknown');
    await u.choose('no');
    const done = await u.text('a recruiter on Telegram');
    const match = done.texts[0]!.match(/Reference: (HT-[2-9A-Z]{4}-[2-9A-Z]{4})\nSecret code: ([2-9A-Z]{4}-[2-9A-Z]{4})/);
    expect(match, done.texts.join('\n')).not.toBeNull();
    const [, reference, code] = match! as unknown as [string, string, string];
    expect(await app.database.prisma.report.count({ where: { referenceCode: reference } })).toBe(1);
    expect(await findAtRest(app.database.prisma, forms(code))).toEqual([]);
    // The stored form still verifies the code (and only the code).
    const found = await app.database.prisma.$transaction((tx) => lookupReport(tx, { reference, code: code.toLowerCase(), userHash: 'at-rest-check', now: new Date() }));
    expect(found).toMatchObject({ ok: true, referenceCode: reference });
  });

  it('the web chat resume code is stored neither dashed nor compact, and still reopens the chat', async () => {
    const call = async (path: string, token?: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const token = (await call('/v3/directline/tokens/generate')).body.token as string;
    const conversationId = (await call('/v3/directline/conversations', token)).body.conversationId as string;
    await call(`/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: 'hi', channelData: { clientActivityID: 'hi-1' } });
    const issued = await call('/chat/resume-code', token);
    expect(issued.status).toBe(200);
    const code = issued.body.code as string;
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    expect(await app.database.prisma.resumeCode.count({ where: { conversationId } })).toBe(1);
    expect(await findAtRest(app.database.prisma, forms(code))).toEqual([]);
    expect((await call('/chat/resume', undefined, { code })).body.conversationId).toBe(conversationId);
  });
});
