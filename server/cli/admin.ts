/**
 * `npm run admin -- <command>`: console accounts from the command line, on the server's own
 * database (the same DATABASE_URL / DATA_DIR). For the first admin, a forgotten password, or an
 * account to lock out at once. Every change is written to the audit log like a console action,
 * with the actor "cli" and the operating-system user who ran it.
 *
 *   create-user EMAIL ROLE [--name NAME] [--locale vi|en]   ROLE: counsellor | supervisor | admin
 *   reset-password EMAIL
 *   disable EMAIL | enable EMAIL
 *   list
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { audit } from '../../console/audit.js';
import { hashPassword, PASSWORD_RULE } from '../../console/auth/passwords.js';
import type { Db } from '../../core/db/client.js';
import { cliConfig, CliError, openConfiguredDatabase, runCli } from './common.js';
import { askNewPassword } from './prompt.js';

const USAGE = `usage: npm run admin -- <command>
  create-user EMAIL ROLE [--name NAME] [--locale vi|en]   ROLE: counsellor, supervisor or admin
  reset-password EMAIL                                     sets a new password, ends the account's sessions
  disable EMAIL                                            locks the account out at once (ends its sessions)
  enable EMAIL
  list
Passwords are asked at the terminal without echo, or read from the first line of standard input.
The command uses the server's configuration (DATABASE_URL, or DATA_DIR for the embedded database).`;

const email = z.string().trim().toLowerCase().email().max(200);
const role = z.enum(['counsellor', 'supervisor', 'admin']);

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliError(`${what} "${String(value ?? '')}" is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}\n${USAGE}`, 64);
  return parsed.data;
}

/** Who ran the command, for the audit log (the console records the staff id; the CLI has none). */
function cliActor(): Record<string, string> {
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return { actor: 'cli', osUser };
}

async function findUser(db: Db, address: string) {
  const user = await db.staffUser.findUnique({ where: { email: address } });
  if (!user) throw new CliError(`no account with the email ${address} (see: npm run admin -- list)`, 1);
  return user;
}

async function activeAdmins(db: Db): Promise<number> {
  return db.staffUser.count({ where: { role: 'admin', disabled: false } });
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { name: { type: 'string' }, locale: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 64;
  }
  const expected: Record<string, number> = { 'create-user': 2, 'reset-password': 1, disable: 1, enable: 1, list: 0 };
  if (!(command in expected)) throw new CliError(`unknown command "${command}"\n${USAGE}`, 64);
  if (args.length !== expected[command]) throw new CliError(`${command} takes ${expected[command]} argument(s)\n${USAGE}`, 64);

  // Arguments are checked before the database is opened (which, when embedded, takes DATA_DIR).
  const address = command === 'list' ? '' : parse(email, args[0], 'email');
  const newRole = command === 'create-user' ? parse(role, args[1], 'role') : null;
  const locale = parse(z.enum(['vi', 'en']).default('vi'), values.locale, 'locale');
  const displayName = command === 'create-user' ? parse(z.string().trim().min(1).max(100), values.name ?? address.split('@')[0], 'name') : '';
  const config = cliConfig();
  const opened = await openConfiguredDatabase(config, 'npm run admin');
  const db = opened.database.prisma;
  try {
    switch (command) {
      case 'list': {
        const users = await db.staffUser.findMany({ orderBy: { email: 'asc' }, select: { email: true, displayName: true, role: true, disabled: true, lastLoginAt: true } });
        if (!users.length) process.stdout.write('no console accounts yet: npm run admin -- create-user EMAIL admin\n');
        const width = Math.max(5, ...users.map((u) => u.email.length));
        for (const u of users) {
          const last = u.lastLoginAt ? `last login ${u.lastLoginAt.toISOString()}` : 'never logged in';
          process.stdout.write(`${u.email.padEnd(width)}  ${u.role.padEnd(10)}  ${(u.disabled ? 'disabled' : 'active').padEnd(8)}  ${last}  (${u.displayName})\n`);
        }
        return 0;
      }
      case 'create-user': {
        if (await db.staffUser.findUnique({ where: { email: address } })) throw new CliError(`an account with the email ${address} exists (reset its password: npm run admin -- reset-password ${address})`, 1);
        const password = await askNewPassword(PASSWORD_RULE);
        const user = await db.staffUser.create({ data: { email: address, displayName, role: newRole!, locale, passwordHash: await hashPassword(password) } });
        await audit(db, { actorId: null, action: 'staff.create', subjectType: 'staff', subjectId: user.id, detail: { role: newRole!, ...cliActor() } });
        process.stdout.write(`created ${newRole} ${address}; log in at /console\n`);
        return 0;
      }
      case 'reset-password': {
        const user = await findUser(db, address);
        const password = await askNewPassword(PASSWORD_RULE);
        await db.$transaction(async (tx) => {
          await tx.staffUser.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
          await tx.staffSession.deleteMany({ where: { userId: user.id } });
          await audit(tx, { actorId: null, action: 'password.reset', subjectType: 'staff', subjectId: user.id, detail: cliActor() });
        });
        process.stdout.write(`new password set for ${address}; its sessions have ended\n`);
        if (user.disabled) process.stdout.write(`note: the account is disabled; to let it log in: npm run admin -- enable ${address}\n`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const user = await findUser(db, address);
        const disabled = command === 'disable';
        await db.$transaction(async (tx) => {
          await tx.staffUser.update({ where: { id: user.id }, data: { disabled } });
          if (disabled) await tx.staffSession.deleteMany({ where: { userId: user.id } });
          await audit(tx, { actorId: null, action: disabled ? 'staff.disable' : 'staff.enable', subjectType: 'staff', subjectId: user.id, detail: cliActor() });
        });
        process.stdout.write(`${address} is ${disabled ? 'disabled; its sessions have ended' : 'enabled'}\n`);
        if (disabled && (await activeAdmins(db)) === 0) process.stdout.write('warning: no active admin is left; create one with: npm run admin -- create-user EMAIL admin\n');
        return 0;
      }
    }
    return 64;
  } finally {
    await opened.close();
  }
}

runCli('hotline-111 admin', main);
