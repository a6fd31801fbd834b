/**
 * `npm run admin` as a real process, on the embedded database (DATA_DIR) and on PostgreSQL
 * (DATABASE_URL): accounts it creates can log in to the console, every change is audited with the
 * actor "cli", and it refuses to open an embedded database that a running server holds.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../console/auth/passwords.js';
import { openDatabase, type Database } from '../../core/db/client.js';
import { createTestApp } from '../helpers/app.js';
import { createPostgresTestDatabase, postgresSuiteMode } from '../helpers/db.js';
import { removeTempDirs, runScript, tempDir } from './run.js';

afterAll(removeTempDirs);

const ADMIN = 'server/cli/admin.ts';
const PASSWORD = 'correct horse battery staple';

interface Target {
  env: Record<string, string>;
  /** Opens the same database for a look (never while the CLI runs). */
  open(): Promise<Database>;
  done(): Promise<void>;
}

async function withDb<T>(target: Target, look: (db: Database) => Promise<T>): Promise<T> {
  const db = await target.open();
  try {
    return await look(db);
  } finally {
    await db.close();
  }
}

function adminSuite(makeTarget: () => Promise<Target>) {
  it('creates, resets, disables and lists accounts, audited as the cli', async () => {
    const target = await makeTarget();
    const admin = (args: string[], input?: string) => runScript(ADMIN, args, { env: target.env, ...(input !== undefined ? { input } : {}) });
    try {
      const empty = await admin(['list']);
      expect(empty.code, empty.stderr).toBe(0);
      expect(empty.stdout).toContain('no console accounts yet');

      const short = await admin(['create-user', 'boss@example.org', 'admin'], 'too short\n');
      expect(short.code).toBe(65);
      expect(short.stderr).toContain('at least 12 characters');

      const created = await admin(['create-user', 'Boss@Example.org', 'admin'], `${PASSWORD}\n`);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toContain('created admin boss@example.org');
      expect(created.stdout).not.toContain(PASSWORD);

      const again = await admin(['create-user', 'boss@example.org', 'counsellor'], `${PASSWORD}\n`);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists');

      const counsellor = await admin(['create-user', 'chi@example.org', 'counsellor', '--name', 'Chi', '--locale', 'en'], 'another long password\n');
      expect(counsellor.code, counsellor.stderr).toBe(0);

      const bossId = await withDb(target, async (db) => {
        const boss = await db.prisma.staffUser.findUniqueOrThrow({ where: { email: 'boss@example.org' } });
        expect(boss).toMatchObject({ role: 'admin', disabled: false, displayName: 'boss' });
        expect(await verifyPassword(PASSWORD, boss.passwordHash)).toBe(true);
        expect(await db.prisma.staffUser.findUniqueOrThrow({ where: { email: 'chi@example.org' } })).toMatchObject({ role: 'counsellor', displayName: 'Chi', locale: 'en' });
        expect(await db.prisma.staffUser.count({ where: { email: 'boss@example.org' } })).toBe(1);
        // The account logs in to the real console.
        const app = await createTestApp({ database: db });
        const res = await app.server.inject({ method: 'POST', url: '/console/api/login', payload: { email: 'boss@example.org', password: PASSWORD } });
        expect(res.statusCode).toBe(200);
        expect(await db.prisma.staffSession.count({ where: { userId: boss.id } })).toBe(1);
        return boss.id;
      });

      const reset = await admin(['reset-password', 'boss@example.org'], 'a brand new passphrase\n');
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toContain('its sessions have ended');

      const disabled = await admin(['disable', 'boss@example.org']);
      expect(disabled.code, disabled.stderr).toBe(0);
      expect(disabled.stdout).toContain('no active admin is left');

      await withDb(target, async (db) => {
        const boss = await db.prisma.staffUser.findUniqueOrThrow({ where: { id: bossId } });
        expect(await verifyPassword('a brand new passphrase', boss.passwordHash)).toBe(true);
        expect(await verifyPassword(PASSWORD, boss.passwordHash)).toBe(false);
        expect(boss.disabled).toBe(true);
        expect(await db.prisma.staffSession.count({ where: { userId: bossId } })).toBe(0);
        const entries = await db.prisma.auditLog.findMany({ where: { subjectType: 'staff', actorId: null }, orderBy: { createdAt: 'asc' } });
        expect(entries.map((e) => e.action)).toEqual(['staff.create', 'staff.create', 'password.reset', 'staff.disable']);
        for (const entry of entries) expect(entry.detail).toMatchObject({ actor: 'cli' });
        expect(entries[0]).toMatchObject({ subjectId: bossId, detail: { role: 'admin', actor: 'cli' } });
        // The password is nowhere in the audit log.
        expect(JSON.stringify(entries)).not.toContain('passphrase');
      });

      const enabled = await admin(['enable', 'boss@example.org']);
      expect(enabled.code, enabled.stderr).toBe(0);
      const list = await admin(['list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/boss@example\.org\s+admin\s+active/);
      expect(list.stdout).toMatch(/chi@example\.org\s+counsellor\s+active\s+never logged in/);

      expect((await admin(['disable', 'nobody@example.org'])).code).toBe(1);
      expect((await admin(['create-user', 'x@example.org', 'admin'], '')).code).toBe(64); // no password on stdin
    } finally {
      await target.done();
    }
  }, 300_000);
}

describe('admin CLI on the embedded database', () => {
  adminSuite(async () => {
    const dataDir = await tempDir('admin');
    return {
      env: { DATA_DIR: dataDir },
      open: () => openDatabase({ kind: 'pglite', dataDir }),
      done: async () => {},
    };
  });

  it('refuses to open a DATA_DIR that a running server holds, and says what to do', async () => {
    const dataDir = await tempDir('admin-busy');
    // The lock the server writes (DATA_DIR/hotline.lock with its pid); this test process plays the server.
    await writeFile(path.join(dataDir, 'hotline.lock'), `${process.pid}\n`);
    const busy = await runScript(ADMIN, ['list'], { env: { DATA_DIR: dataDir } });
    expect(busy.code).toBe(75);
    expect(busy.stderr).toContain(`the server is running on this DATA_DIR (pid ${process.pid}`);
    expect(busy.stderr).toContain('Stop the server');
    // A lock left by a process that is gone is stale: the command goes ahead.
    await writeFile(path.join(dataDir, 'hotline.lock'), '999999999\n');
    const stale = await runScript(ADMIN, ['list'], { env: { DATA_DIR: dataDir } });
    expect(stale.code, stale.stderr).toBe(0);
  }, 120_000);

  it('answers bad usage with the usage and exit code 64, before opening anything', async () => {
    const dataDir = await tempDir('admin-usage');
    for (const args of [['create-user', 'x@example.org', 'root'], ['promote', 'x@example.org'], ['create-user', 'not-an-email', 'admin'], ['disable']]) {
      const bad = await runScript(ADMIN, args, { env: { DATA_DIR: dataDir } });
      expect(bad.code, args.join(' ')).toBe(64);
      expect(bad.stderr).toContain('usage: npm run admin');
    }
  }, 120_000);
});

const mode = postgresSuiteMode();
if (mode === 'fail') {
  it('the PostgreSQL admin CLI suite needs TEST_DATABASE_URL in CI', () => {
    expect.fail('TEST_DATABASE_URL is not set');
  });
}
describe.runIf(mode === 'run')('admin CLI on PostgreSQL', () => {
  adminSuite(async () => {
    const owner = await createPostgresTestDatabase();
    const name = (await owner.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`)[0]!.name;
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString(), APP_SECRET: 'an app secret of at least thirty-two characters' },
      open: () => openDatabase({ kind: 'postgres', url: url.toString() }),
      done: () => owner.close(),
    };
  });
});
