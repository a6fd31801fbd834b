/**
 * The label round trip: staff mark risk in the console API (holder: an escalation too high; a
 * supervisor: a missed risk), labels are stored sealed, exported as training TSV outside the repo,
 * and the trainer takes them (`risk:train -- --extra FILE`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/auth/passwords.js';
import { exportLabels } from '../../core/risk/labels.js';
import { createTestApp, textFrom, type TestApp } from '../helpers/app.js';
import { ConsoleClient } from './session.js';

describe('risk labels from staff', () => {
  let app: TestApp;
  let base: string;
  let dir: string;
  beforeAll(async () => {
    app = await createTestApp();
    base = await app.listen();
    dir = await mkdtemp(path.join(tmpdir(), 'hotline-labels-'));
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const account = async (email: string, role: 'counsellor' | 'supervisor') => {
    const user = await app.database.prisma.staffUser.create({ data: { email, displayName: email, role, passwordHash: await hashPassword('a-long-enough-password') } });
    const client = new ConsoleClient(base);
    await client.login(email, 'a-long-enough-password');
    return Object.assign(client, { id: user.id });
  };

  it('the holder judges an escalation, a supervisor marks a missed risk; export writes them as training TSV', async () => {
    const lan = await account('lan@111.vn', 'counsellor');
    const minh = await account('minh@111.vn', 'counsellor');
    const sup = await account('sup@111.vn', 'supervisor');
    await app.runtime.handleTurn(textFrom('label-user', 'xin chào'));
    const missed = await app.runtime.handleTurn(textFrom('label-user', 'chị ơi em hết cách rồi, ở đây ai cũng bị thu điện thoại'));
    expect(missed.handoffId).toBeUndefined(); // not escalated: below the counsellor threshold
    const escalated = await app.runtime.handleTurn(textFrom('label-user', 'cứu em với, em đang bị nhốt'));
    const handoffId = escalated.handoffId!;
    expect((await lan.request('POST', `/console/api/handoffs/${handoffId}/claim`)).status).toBe(200);

    // Only the holder (or a supervisor) labels the escalation; the level must fit the verdict.
    expect((await minh.request('POST', `/console/api/handoffs/${handoffId}/risk-label`, { verdict: 'too_high' })).status).toBe(403);
    expect((await lan.request('POST', `/console/api/handoffs/${handoffId}/risk-label`, { verdict: 'too_high', level: 'emergency' })).status).toBe(400);
    const judged = await lan.json<{ level: string; detectedLevel: string }>('POST', `/console/api/handoffs/${handoffId}/risk-label`, { verdict: 'too_high', level: 'high' });
    expect(judged.status).toBe(200);
    expect(judged.body).toEqual(expect.objectContaining({ level: 'high', detectedLevel: 'emergency' }));

    // Missed risks are marked by supervisors only, on what the person typed.
    expect((await lan.request('POST', `/console/api/messages/${missed.messageId}/risk-label`, { level: 'high' })).status).toBe(403);
    expect((await sup.request('POST', `/console/api/messages/${missed.messageId}/risk-label`, { level: 'high' })).status).toBe(200);

    // Stored sealed, audited.
    const raw = await app.database.prisma.$queryRawUnsafe<{ text: string }[]>(`SELECT text FROM "RiskLabel"`);
    expect(raw).toHaveLength(2);
    expect(raw.every((r) => r.text.startsWith('enc:'))).toBe(true);
    expect(await app.database.prisma.auditLog.count({ where: { action: 'risk.label' } })).toBe(2);

    // Export: outside the repository only.
    await expect(exportLabels(app.database.prisma, path.join(process.cwd(), 'labels.tsv'))).rejects.toThrow(/outside the repository/);
    const file = path.join(dir, 'labels.tsv');
    expect((await exportLabels(app.database.prisma, file)).count).toBe(2);
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(expect.arrayContaining(['high\tcứu em với, em đang bị nhốt', 'high\tchị ơi em hết cách rồi, ở đây ai cũng bị thu điện thoại']));

    // Train with them: `npm run risk:train -- --extra FILE` (a dry run here: the committed model is left alone).
    const trained = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'core/risk/training/train.ts', '--extra', file, '--dry-run'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(trained.code, trained.out).toBe(0);
    expect(trained.out).toContain('extra:labels.tsv');
    expect(trained.out).toMatch(/changed level against the committed model/);
    expect(trained.out).toContain('dry run: model not written');
  }, 600_000);
});
