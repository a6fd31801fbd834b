/**
 * What `npm start` says once it listens: where the web chat, the console and the health check
 * are, which database it uses, which channels are on (and, for those off, which variables are
 * missing), and whether anyone can log in to the console. Plain text for a person at a terminal,
 * one JSON log line for a log shipper. Never a secret: PostgreSQL is shown without its password.
 */
import path from 'node:path';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db/client.js';

export interface ChannelState {
  name: string;
  on: boolean;
  /** How it runs when on, or what to set when off. */
  detail: string;
  /** Variables that must be set for the channel to be on (empty when on). */
  missing: string[];
}

export type DatabaseSummary =
  | { kind: 'pglite'; dataDir: string; path: string }
  | { kind: 'postgres'; host: string; port: string; database: string; user: string | null };

export interface StartupSummary {
  urls: { home: string | null; chat: string | null; console: string; healthz: string; metrics: string | null; public: string | null };
  database: DatabaseSummary;
  /** Where the app secret comes from (the key to pseudonyms and encrypted reports). */
  appSecret: { from: 'APP_SECRET' } | { from: 'file'; path: string };
  channels: ChannelState[];
  consoleAdmins: { active: number; hint: string | null };
}

/** The variables each channel needs (bots/<channel>/index.ts `enabled`), to say what is missing. */
const CHANNEL_NEEDS: Record<string, Array<keyof Config>> = {
  telegram: ['TELEGRAM_BOT_TOKEN'],
  line: ['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN'],
  zalo: ['ZALO_OA_SECRET_KEY', 'ZALO_APP_ID', 'ZALO_ACCESS_TOKEN'],
  botframework: ['MICROSOFT_APP_ID', 'MICROSOFT_APP_PASSWORD'],
};

export function describeDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): DatabaseSummary {
  if (config.DATABASE_URL) {
    const url = new URL(config.DATABASE_URL);
    return {
      kind: 'postgres',
      host: url.hostname || 'localhost',
      port: url.port || '5432',
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
      user: url.username ? decodeURIComponent(url.username) : null,
    };
  }
  const dataDir = path.resolve(config.DATA_DIR);
  return { kind: 'pglite', dataDir, path: path.join(dataDir, 'pglite') };
}

export function describeChannels(config: Config, on: Record<string, boolean>): ChannelState[] {
  return Object.entries(on).map(([name, enabled]) => {
    const missing = enabled ? [] : (CHANNEL_NEEDS[name] ?? []).filter((key) => !config[key]);
    return { name, on: enabled, missing, detail: enabled ? howItRuns(name, config) : whyOff(name, missing) };
  });
}

function howItRuns(name: string, config: Config): string {
  const hook = (p: string) => (config.PUBLIC_URL ? new URL(p, config.PUBLIC_URL).toString() : `PUBLIC_URL${p} (set PUBLIC_URL to the public HTTPS address)`);
  switch (name) {
    case 'telegram':
      return config.TELEGRAM_MODE === 'webhook' ? `webhook ${hook('/webhooks/telegram')}` : 'long polling';
    case 'line':
      return `webhook ${hook('/webhooks/line')}`;
    case 'zalo':
      return `webhook ${hook('/webhooks/zalo')}`;
    case 'webchat':
      return '/chat and Direct Line at /v3/directline';
    case 'botframework':
      return `messaging endpoint ${hook('/api/messages')}`;
    default:
      return 'on';
  }
}

function whyOff(name: string, missing: string[]): string {
  if (name === 'webchat') return 'WEBCHAT_ENABLED=false';
  if (missing.length) return `set ${missing.join(', ')}`;
  return 'not configured';
}

/** Counts active admins; the hint says exactly how to create the first one. */
export async function consoleAdminState(db: Db, database: DatabaseSummary): Promise<StartupSummary['consoleAdmins']> {
  const active = await db.staffUser.count({ where: { role: 'admin', disabled: false } });
  if (active > 0) return { active, hint: null };
  const sameDatabase = database.kind === 'pglite' ? `DATA_DIR=${database.dataDir} ` : '';
  const stopFirst = database.kind === 'pglite' ? 'stop the server (the embedded database serves one process), then run ' : 'run ';
  return {
    active,
    hint:
      `No console admin yet: nobody can log in to /console. To create one, ${stopFirst}` +
      `\`${sameDatabase}npm run admin -- create-user you@example.org admin\` (it asks for the password), ` +
      'or set CONSOLE_ADMIN_EMAIL and CONSOLE_ADMIN_PASSWORD (12+ characters) and start again.',
  };
}

export async function collectStartupSummary(input: { config: Config; url: string; channels: Record<string, boolean>; db: Db }): Promise<StartupSummary> {
  const { config, url } = input;
  const at = (p: string) => new URL(p, url).toString();
  const webchat = input.channels.webchat ?? false;
  const database = describeDatabase(config);
  return {
    urls: {
      home: webchat ? at('/') : null,
      chat: webchat ? at('/chat') : null,
      console: at('/console'),
      healthz: at('/healthz'),
      metrics: config.METRICS_ENABLED ? at('/metrics') : null,
      public: config.PUBLIC_URL ?? null,
    },
    database,
    appSecret: config.APP_SECRET || database.kind === 'postgres' ? { from: 'APP_SECRET' } : { from: 'file', path: path.join(database.dataDir, 'app-secret') },
    channels: describeChannels(config, input.channels),
    consoleAdmins: await consoleAdminState(input.db, database),
  };
}

/** The summary as a person reads it at a terminal. */
export function formatSummaryText(summary: StartupSummary): string {
  const { urls, database } = summary;
  const width = Math.max(...summary.channels.map((c) => c.name.length), 12);
  const rows: string[] = ['', 'hotline-111 is running'];
  const row = (label: string, value: string) => rows.push(`  ${label.padEnd(15)}${value}`);
  row('Web chat', urls.chat ? `${urls.chat}  (landing page ${urls.home})` : 'off (WEBCHAT_ENABLED=false)');
  row('Console', urls.console);
  row('Health', urls.healthz);
  row('Metrics', urls.metrics ?? 'off (METRICS_ENABLED=false)');
  row('Public URL', urls.public ?? 'not set (PUBLIC_URL: needed for webhooks and secure console cookies)');
  row(
    'Database',
    database.kind === 'pglite'
      ? `embedded PGlite at ${database.path}`
      : `PostgreSQL ${database.database} on ${database.host}:${database.port}${database.user ? ` as ${database.user}` : ''}`,
  );
  row('App secret', summary.appSecret.from === 'file' ? `${summary.appSecret.path} (back it up on its own: without it reports cannot be read)` : 'from APP_SECRET');
  rows.push('  Channels');
  for (const channel of summary.channels) rows.push(`    ${channel.name.padEnd(width)}  ${channel.on ? 'on ' : 'off'}  ${channel.detail}`);
  const admins = summary.consoleAdmins;
  row('Console admins', admins.active > 0 ? String(admins.active) : 'none');
  if (admins.hint) rows.push(`  ! ${admins.hint}`);
  rows.push('');
  return rows.join('\n') + '\n';
}
