/**
 * Counsellor access (issue 14, item 4): only the holder, or a supervisor/admin, reads or annotates a
 * held or closed chat; a waiting chat shows a preview only; every note is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { ConsoleClient } from './session.js';

describe('console: who reads and annotates a chat', () => {
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    app = await createTestApp({ ports: [recordingPort()] });
    base = await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor' | 'admin') => {
    await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword('a-long-enough-password') } });
    const client = new ConsoleClient(base);
    expect((await client.login(email, 'a-long-enough-password')).status).toBe(200);
    return client;
  };

  const LONG = `help me, they took my passport. ${'x'.repeat(400)} SECRET-TAIL`;

  it('shows a waiting chat as a preview only, and a held one only to its holder or a supervisor', async () => {
    await app.runtime.handleTurn(textFrom('person-a', 'hi'));
    await app.runtime.handleTurn(textFrom('person-a', 'my boss keeps my salary'));
    const sos = await app.runtime.handleTurn(textFrom('person-a', LONG));
    expect(sos.handoffId).toBeDefined();
    const holder = await account('holder@111.vn', 'counsellor');
    const other = await account('other@111.vn', 'counsellor');
    const supervisor = await account('sup@111.vn', 'supervisor');

    // Waiting: any counsellor sees a short preview, not the transcript, and cannot annotate.
    const preview = await other.json<{ preview: boolean; transcript: { author: string; text: string }[]; notes: unknown[] }>('GET', `/console/api/handoffs/${sos.handoffId}`);
    expect(preview.status).toBe(200);
    expect(preview.body.preview).toBe(true);
    expect(preview.body.transcript.every((m) => m.author === 'user')).toBe(true);
    expect(JSON.stringify(preview.body)).not.toContain('SECRET-TAIL');
    expect(preview.body.transcript.length).toBeLessThanOrEqual(3);
    expect((await other.request('POST', `/console/api/handoffs/${sos.handoffId}/notes`, { text: 'a note' })).status).toBe(403);

    // Held: the holder reads it all; another counsellor gets 403 for reads and notes; a supervisor reads and annotates.
    expect((await holder.request('POST', `/console/api/handoffs/${sos.handoffId}/claim`, {})).status).toBe(200);
    const full = await holder.json<{ preview?: boolean; transcript: { author: string; text: string }[] }>('GET', `/console/api/handoffs/${sos.handoffId}`);
    expect(full.status).toBe(200);
    expect(full.body.preview).toBeFalsy();
    expect(JSON.stringify(full.body.transcript)).toContain('SECRET-TAIL');
    expect(full.body.transcript.some((m) => m.author === 'bot')).toBe(true);

    const denied = await other.json<{ error: { code: string } }>('GET', `/console/api/handoffs/${sos.handoffId}`);
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'HANDOFF_NOT_OWNER' } } });
    expect((await other.request('POST', `/console/api/handoffs/${sos.handoffId}/notes`, { text: 'sneaky note' })).status).toBe(403);
    expect(await app.database.prisma.caseNote.count({ where: { text: 'sneaky note' } })).toBe(0);

    expect((await supervisor.request('GET', `/console/api/handoffs/${sos.handoffId}`)).status).toBe(200);
    expect((await supervisor.request('POST', `/console/api/handoffs/${sos.handoffId}/notes`, { text: 'supervisor note' })).status).toBe(201);
    const mine = await holder.json<{ id: string }>('POST', `/console/api/handoffs/${sos.handoffId}/notes`, { text: 'holder note' });
    expect(mine.status).toBe(201);

    // Every note is audited (who, which handoff; never the note's text).
    const audits = await app.database.prisma.auditLog.findMany({ where: { action: 'note.create', subjectId: sos.handoffId } });
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain('holder note');

    // Closed: still only the one who held it, or a supervisor.
    expect((await holder.request('POST', `/console/api/handoffs/${sos.handoffId}/close`, { outcome: 'advice_given', wrapUp: { contactType: 'advice', referrals: [], followUpNeeded: false } })).status).toBe(200);
    expect((await holder.request('GET', `/console/api/handoffs/${sos.handoffId}`)).status).toBe(200);
    expect((await other.request('GET', `/console/api/handoffs/${sos.handoffId}`)).status).toBe(403);
    expect((await other.request('POST', `/console/api/handoffs/${sos.handoffId}/notes`, { text: 'late note' })).status).toBe(403);
    expect((await supervisor.request('GET', `/console/api/handoffs/${sos.handoffId}`)).status).toBe(200);
  });
});
