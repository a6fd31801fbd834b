/**
 * Backups that restore: a conversation and a report made before `npm run db:backup` (taken while
 * the real server runs) are there after `npm run db:restore` into a new data folder; the report
 * still opens with its codes and decrypts, and a returning user is linked to their conversation.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logging.js';
import { decryptJson } from '../../core/reports/crypto.js';
import { lookupReport, submitReport } from '../../core/reports/service.js';
import { createApp, type App } from '../../server/app.js';
import { readSnapshot } from '../../server/ops/backup.js';
import { textFrom } from '../helpers/app.js';
import { recordingPort } from '../helpers/ports.js';
import { logLines, removeTempDirs, runScript, startServer, tempDir } from './run.js';

afterAll(removeTempDirs);

/** The real app on a file DATA_DIR (its own app secret file), quiet, no messaging channels. */
function appOn(dataDir: string): Promise<App> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
  return createApp(config, { channelModules: [], ports: [recordingPort()], logger: createLogger('silent') });
}

it('a backup taken while the server runs restores into a new folder with its conversations and readable reports', async () => {
  const before = await tempDir('backup-src');
  const after = await tempDir('backup-dst');
  const work = await tempDir('backup-files');
  const file = path.join(work, 'hotline.tar.gz');

  // A conversation and a report, made through the runtime on the file database.
  const app = await appOn(before);
  let conversationId: string;
  let filed: { id: string; referenceCode: string; followUpCode: string };
  try {
    await app.runtime.handleTurn(textFrom('user-before-backup', 'xin chào'));
    const conversation = await app.database.prisma.conversation.findFirstOrThrow({ where: { channel: 'test' } });
    conversationId = conversation.id;
    filed = await app.database.prisma.$transaction((tx) =>
      submitReport(tx, app.keys.encryptionKey, { draft: { category: 'scam_compound', province: 'an-giang', suspects: 'a recruiter on Facebook' }, channel: 'test', conversationId, now: new Date() }),
    );
  } finally {
    await app.close();
  }

  // The real server on that folder; a web chat conversation starts while it runs.
  const server = startServer({ DATA_DIR: before, WEBCHAT_RATE_LIMIT_PER_MINUTE: '100000' });
  try {
    await expect.poll(() => /is listening/.test(server.out()) || server.hasExited(), { timeout: 60_000, interval: 200 }).toBe(true);
    const url = logLines(server.out()).find((l) => l.msg === 'hotline-111 is listening')!.url as string;
    const { token } = (await (await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const started = await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(started.status).toBe(201);
    // A web chat conversation is stored with its first message.
    const { conversationId: webConversation } = (await started.json()) as { conversationId: string };
    const posted = await fetch(`${url}/v3/directline/conversations/${webConversation}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', from: { id: 'web-user' }, text: 'xin chào', channelData: { clientActivityID: 'backup-1' } }),
    });
    expect(posted.status).toBe(200);

    // Web chat users keep starting conversations while the snapshot is taken.
    let busy = true;
    let startedDuring = 0;
    const traffic = (async () => {
      while (busy) {
        const { token: t } = (await (await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string };
        const res = await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: '{}' });
        expect(res.status).toBe(201);
        startedDuring++;
      }
    })();
    const backup = await runScript('server/cli/backup.ts', [file], { env: { DATA_DIR: before } });
    busy = false;
    await traffic;
    expect(startedDuring).toBeGreaterThan(0);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toContain('the server is running');
    expect(backup.stdout).toContain(`backup written: ${file}`);
    expect(backup.stdout).toContain('The app secret is not in it');
    // The server went on serving, and only the requested file was written (nothing left in DATA_DIR/backups).
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(logLines(server.out()).some((l) => l.msg === 'backup: snapshot written')).toBe(true);
    expect(existsSync(path.join(before, 'backups', 'answering.pid'))).toBe(true);
  } finally {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }
  // Encrypted content stays encrypted in the backup, and the secret is not in it.
  const secret = (await readFile(path.join(before, 'app-secret'), 'utf8')).trim();
  const tar = Buffer.from(await (await readSnapshot(file)).arrayBuffer());
  expect(tar.includes(secret)).toBe(false);
  expect(tar.includes('a recruiter on Facebook')).toBe(false);

  const restore = await runScript('server/cli/restore.ts', [file, '--app-secret', path.join(before, 'app-secret')], { env: { DATA_DIR: after } });
  expect(restore.code, restore.stderr).toBe(0);
  const restoredCounts = /: (\d+) conversations, (\d+) reports/.exec(restore.stdout);
  expect(Number(restoredCounts?.[1])).toBeGreaterThanOrEqual(2); // the two made before, and some made during the snapshot
  expect(Number(restoredCounts?.[2])).toBe(1);
  expect(restore.stdout).toContain("opens the backup's reports");
  expect((await readFile(path.join(after, 'app-secret'), 'utf8')).trim()).toBe(secret);

  const restored = await appOn(after);
  try {
    const db = restored.database.prisma;
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { messages: true } });
    expect(conversation.messages.some((m) => m.direction === 'inbound' && m.text === 'xin chào')).toBe(true);
    expect(await db.conversation.count({ where: { channel: 'webchat' } })).toBe(Number(restoredCounts?.[1]) - 1);
    // The report opens with its codes and its body decrypts with the restored keys.
    const found = await db.$transaction((tx) => lookupReport(tx, { reference: filed.referenceCode, code: filed.followUpCode, userHash: 'restore-check', now: new Date() }));
    expect(found).toMatchObject({ ok: true, reportId: filed.id, referenceCode: filed.referenceCode });
    const report = await db.report.findUniqueOrThrow({ where: { id: filed.id } });
    expect(decryptJson(restored.keys.encryptionKey, report.encryptedPayload, report.referenceCode)).toMatchObject({ category: 'scam_compound', suspects: 'a recruiter on Facebook' });
    // The same person writing again is recognised (same pseudonym): no second conversation.
    await restored.runtime.handleTurn(textFrom('user-before-backup', 'menu'));
    expect(await db.conversation.count({ where: { channel: 'test' } })).toBe(1);
  } finally {
    await restored.close();
  }
}, 300_000);

it('restore refuses a non-empty folder, a secret of another server and a missing secret; backup refuses to overwrite', async () => {
  const source = await tempDir('backup-offline');
  const work = await tempDir('backup-offline-files');
  const file = path.join(work, 'offline.tar.gz');
  const app = await appOn(source);
  try {
    await app.database.prisma.$transaction((tx) =>
      submitReport(tx, app.keys.encryptionKey, { draft: { category: 'forced_labour', province: 'ha-noi' }, channel: 'test', conversationId: null, now: new Date() }),
    );
  } finally {
    await app.close();
  }

  // With the server stopped, the command takes the snapshot itself.
  const backup = await runScript('server/cli/backup.ts', [file], { env: { DATA_DIR: source } });
  expect(backup.code, backup.stderr).toBe(0);
  expect(backup.stderr).not.toContain('the server is running');
  expect((await runScript('server/cli/backup.ts', [file], { env: { DATA_DIR: source } })).code).toBe(73);

  const notEmpty = await runScript('server/cli/restore.ts', [file, '--app-secret', path.join(source, 'app-secret')], { env: { DATA_DIR: source } });
  expect(notEmpty.code).toBe(73);
  expect(notEmpty.stderr).toContain('is not empty');

  const wrongSecret = path.join(work, 'other-secret');
  await writeFile(wrongSecret, 'the secret of some other hotline-111 server\n');
  const elsewhere = await tempDir('backup-wrong-secret');
  const mismatch = await runScript('server/cli/restore.ts', [file, '--app-secret', wrongSecret], { env: { DATA_DIR: elsewhere } });
  expect(mismatch.code).toBe(65);
  expect(mismatch.stderr).toContain('does not open');
  expect(existsSync(path.join(elsewhere, 'pglite'))).toBe(false); // nothing half-restored is left

  const noSecret = await runScript('server/cli/restore.ts', [file], { env: { DATA_DIR: await tempDir('backup-no-secret') } });
  expect(noSecret.code).toBe(64);
  expect(noSecret.stderr).toContain('--app-secret');

  const garbage = path.join(work, 'not-a-backup.tar.gz');
  await writeFile(garbage, 'hello');
  const bad = await runScript('server/cli/restore.ts', [garbage, '--without-app-secret'], { env: { DATA_DIR: await tempDir('backup-garbage') } });
  expect(bad.code).toBe(65);
  expect(bad.stderr).toContain('not a hotline-111 backup');
}, 300_000);
