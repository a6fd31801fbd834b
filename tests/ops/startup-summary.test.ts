/** server/startup-summary.ts: what the start-up summary says, for each way the server can be configured. */
import { expect, it } from 'vitest';
import { channelModules } from '../../bots/index.js';
import { loadConfig } from '../../core/config.js';
import { collectStartupSummary, describeChannels, describeDatabase, formatSummaryText } from '../../server/startup-summary.js';
import { createTestApp } from '../helpers/app.js';

const NEEDS: Record<string, Record<string, string>> = {
  telegram: { TELEGRAM_BOT_TOKEN: '123:abc' },
  line: { LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' },
  zalo: { ZALO_OA_SECRET_KEY: 'k', ZALO_APP_ID: '1', ZALO_ACCESS_TOKEN: 'a' },
  botframework: { MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw' },
  webchat: {},
};

it('names exactly the variables a channel still needs, in agreement with the channel modules', () => {
  for (const module of channelModules) {
    const needs = NEEDS[module.name];
    expect(needs, `a summary rule for ${module.name}`).toBeDefined();
    const off = loadConfig({ WEBCHAT_ENABLED: 'false' });
    const on = loadConfig({ ...needs });
    expect(module.enabled(off)).toBe(false);
    expect(module.enabled(on)).toBe(true);
    const [stateOff] = describeChannels(off, { [module.name]: module.enabled(off) });
    expect(stateOff!.on).toBe(false);
    if (module.name === 'webchat') expect(stateOff!.detail).toBe('WEBCHAT_ENABLED=false');
    else expect(stateOff!.missing.sort()).toEqual(Object.keys(needs!).sort());
    const [stateOn] = describeChannels(on, { [module.name]: module.enabled(on) });
    expect(stateOn).toMatchObject({ on: true, missing: [] });
  }
  const webhook = loadConfig({ TELEGRAM_BOT_TOKEN: 'x', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 's', PUBLIC_URL: 'https://hotline.example.org' });
  expect(describeChannels(webhook, { telegram: true })[0]!.detail).toBe('webhook https://hotline.example.org/webhooks/telegram');
  expect(describeChannels(loadConfig({ TELEGRAM_BOT_TOKEN: 'x' }), { telegram: true })[0]!.detail).toBe('long polling');
});

it('shows PostgreSQL by host and database, never with its password', () => {
  const config = loadConfig({ DATABASE_URL: 'postgresql://hotline:s3cr3t-pw@db.internal:6543/hotline_prod?sslmode=require', APP_SECRET: 'x'.repeat(32) });
  const database = describeDatabase(config);
  expect(database).toEqual({ kind: 'postgres', host: 'db.internal', port: '6543', database: 'hotline_prod', user: 'hotline' });
  expect(JSON.stringify(database)).not.toContain('s3cr3t');
});

it('the terminal text has the URLs, the channel states and the admin hint', async () => {
  const app = await createTestApp({ env: { WEBCHAT_ENABLED: 'false', METRICS_ENABLED: 'false' } });
  try {
    const summary = await collectStartupSummary({ config: app.config, url: 'http://127.0.0.1:3000', channels: { webchat: false, line: false }, db: app.database.prisma });
    expect(summary.urls).toMatchObject({ home: null, chat: null, console: 'http://127.0.0.1:3000/console', metrics: null });
    const text = formatSummaryText(summary);
    expect(text).toContain('Console        http://127.0.0.1:3000/console');
    expect(text).toContain('Health         http://127.0.0.1:3000/healthz');
    expect(text).toContain('off (WEBCHAT_ENABLED=false)');
    expect(text).toMatch(/line\s+off\s+set LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN/);
    expect(text).toContain('npm run admin -- create-user you@example.org admin');
    await app.database.prisma.staffUser.create({ data: { email: 'a@example.org', displayName: 'A', role: 'admin', passwordHash: 'x' } });
    const later = await collectStartupSummary({ config: app.config, url: 'http://127.0.0.1:3000', channels: {}, db: app.database.prisma });
    expect(later.consoleAdmins).toEqual({ active: 1, hint: null });
    expect(formatSummaryText(later)).not.toContain('create-user');
  } finally {
    await app.close();
  }
});
