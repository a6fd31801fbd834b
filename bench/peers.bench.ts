/**
 * Peers: the same scripted report conversation (17 messages: greeting, language, menu, the report's
 * essentials and send, then its 8 "more details" answers) driven by the same messages through three implementations on this machine:
 *  - ours: the runtime (handleTurn, one transaction per turn on PostgreSQL) with the outbox
 *    delivering each reply to an in-process port; a user's next message waits for the replies;
 *  - grammY with @grammyjs/conversations (the replay engine), its state in PostgreSQL through
 *    @grammyjs/storage-psql (given a pg.Pool: its README passes one Client, which serialises every
 *    user on one connection); updates through bot.handleUpdate, Bot API calls answered in process;
 *  - Bot Framework botbuilder-dialogs: a WaterfallDialog of TextPrompts on ConversationState, once on
 *    MemoryStorage (the samples' storage: no database at all) and once on a small PostgreSQL Storage
 *    (JSONB rows, read and written each turn as a blob/Cosmos storage would be).
 * Each peer stores the finished report in PostgreSQL with one INSERT (ours encrypts it and keeps the
 * whole transcript, risk checks and a follow-up code). Figure: messages handled per second with the
 * same users and concurrency; ratio = ours / theirs (target ≥ 2).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Bot, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { conversations, createConversation, type Conversation, type ConversationFlavor } from '@grammyjs/conversations';
import { PsqlAdapter } from '@grammyjs/storage-psql';
import { BotAdapter, ConversationState, MemoryStorage, MessageFactory, TurnContext, type Activity, type ConversationReference, type ResourceResponse, type Storage, type StoreItems } from 'botbuilder';
import { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { BenchResult } from './run.js';
import { createApp } from '../server/app.js';
import { loadConfig } from '../core/config.js';
import { openDatabase } from '../core/db/client.js';
import { createLogger } from '../core/logging.js';
import type { ChannelPort } from '../core/messages/types.js';
import { createScratchDatabase } from '../tests/helpers/instances.js';
import { benchPostgresUrl } from './support/databases.js';

const USERS = Number(process.env.BENCH_PEER_USERS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_PEER_CONCURRENCY ?? 8);

/** The messages one user sends (ids of the buttons pressed, or text), as our flow's report needs them. */
const SCRIPT: { text?: string; choiceId?: string }[] = [
  // The essentials (the report is saved at "send"), then every "more details" question.
  { text: 'xin chào' }, { choiceId: 'lang.vi' }, { choiceId: 'report' }, { choiceId: 'cat.forced_labour' }, { choiceId: 'place.abroad' },
  { choiceId: 'country.KH' }, { choiceId: 'no' }, { choiceId: 'report.send' }, { choiceId: 'report.more' }, { choiceId: 'when.today' },
  { choiceId: 'count.one' }, { choiceId: 'age.child' }, { choiceId: 'gender.female' }, { choiceId: 'skip' }, { choiceId: 'via.facebook' },
  { choiceId: 'skip' }, { choiceId: 'consent.no' },
];
/** The peers ask one question per answer in the script (after the greeting), with buttons. */
const QUESTIONS = SCRIPT.slice(1).map((step, i) => ({ key: `q${i}`, question: `Câu hỏi ${i + 1}?`, options: [step.choiceId ?? 'ok', 'nav.back', 'nav.menu'] }));

/** Runs `USERS` users, `CONCURRENCY` at a time, each sending the script in order; returns messages/s. */
async function drive(send: (user: number, step: number) => Promise<void>): Promise<number> {
  let next = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let user = next++; user < USERS; user = next++) {
        for (let step = 0; step < SCRIPT.length; step++) await send(user, step);
      }
    }),
  );
  return (USERS * SCRIPT.length) / ((performance.now() - begin) / 1000);
}

async function ours(url: string): Promise<{ perSecond: number; reports: number }> {
  const waiting = new Map<string, () => void>();
  const delivered = new Set<string>();
  const port: ChannelPort = {
    channel: 'bench',
    async send(target) {
      const id = target.messageId!;
      delivered.add(id);
      waiting.get(id)?.();
    },
  };
  const database = await openDatabase({ kind: 'postgres', url });
  const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', PORT: '0', APP_SECRET: 'bench-peers-app-secret-0123456789abcdef' }), { database, logger: createLogger('silent'), channelModules: [], ports: [port] });
  app.outbox.start();
  const run = `${Date.now()}`;
  try {
    const perSecond = await drive(async (user, step) => {
      const m = SCRIPT[step]!;
      const turn = await app.runtime.handleTurn({
        channel: 'bench',
        externalUserId: `${run}-${user}`,
        externalMessageId: randomUUID(),
        kind: m.choiceId ? 'choice' : 'text',
        payload: m.choiceId ? { choiceId: m.choiceId } : { text: m.text! },
      });
      // The user reads the replies before answering.
      await Promise.all(turn.outboundIds.map((id) => (delivered.has(id) ? undefined : new Promise<void>((resolve) => waiting.set(id, resolve)))));
    });
    return { perSecond, reports: await database.prisma.report.count() };
  } finally {
    await app.close();
  }
}

async function insertReport(pool: pg.Pool, answers: unknown): Promise<void> {
  await pool.query('INSERT INTO bench_peer_reports (body) VALUES ($1)', [JSON.stringify(answers)]);
}

async function grammy(pool: pg.Pool): Promise<{ perSecond: number; reports: number }> {
  type Ctx = ConversationFlavor<Context>;
  const bot = new Bot<Ctx>('1:bench', { botInfo: { id: 1, is_bot: true, first_name: 'Bench', username: 'bench_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false } as never });
  let messageId = 1;
  // The Bot API answered in process: no network on either side (also inside conversations, which
  // build their own Api: installed there as a conversation plugin).
  const inProcessApi = (async (_prev: unknown, method: string, payload: unknown) => {
    const chat = (payload as { chat_id?: number }).chat_id ?? 0;
    const result = method === 'sendMessage' ? { message_id: messageId++, date: 0, chat: { id: chat, type: 'private' }, text: '' } : true;
    return { ok: true, result };
  }) as never;
  bot.api.config.use(inProcessApi);
  async function report(conversation: Conversation<Ctx, Context>, ctx: Context): Promise<void> {
    const answers: Record<string, string> = {};
    for (const q of QUESTIONS) {
      await ctx.reply(q.question, { reply_markup: { inline_keyboard: [q.options.map((o) => ({ text: o, callback_data: o }))] } });
      ctx = await conversation.wait();
      answers[q.key] = ctx.callbackQuery?.data ?? ctx.message?.text ?? '';
      if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    }
    await conversation.external(() => insertReport(pool, answers));
    await ctx.reply('Đã nhận báo cáo. Cảm ơn bạn.');
  }
  const adapter = await PsqlAdapter.create({ client: pool as unknown as pg.Client, tableName: 'bench_grammy_conversations' });
  bot.use(
    conversations({
      storage: { type: 'key', version: 1, adapter: adapter as never },
      plugins: [
        async (ctx, next) => {
          ctx.api.config.use(inProcessApi);
          await next();
        },
      ],
    }),
  );
  bot.use(createConversation(report, 'report'));
  bot.on('message', (ctx) => ctx.conversation.enter('report'));

  const before = Number((await pool.query('SELECT count(*) AS n FROM bench_peer_reports')).rows[0].n);
  let updateId = 1;
  const base = 5_000_000 + Math.floor(Math.random() * 1_000_000);
  const perSecond = await drive(async (user, step) => {
    const chat = { id: base + user, type: 'private' as const, first_name: 'U' };
    const from = { id: base + user, is_bot: false, first_name: 'U' };
    const m = SCRIPT[step]!;
    const update: Update = m.choiceId
      ? { update_id: updateId++, callback_query: { id: String(updateId), from, chat_instance: 'c', data: m.choiceId, message: { message_id: 1, date: 0, chat } as never } }
      : { update_id: updateId++, message: { message_id: updateId, date: 0, chat, from, text: m.text! } as never };
    await bot.handleUpdate(update);
  });
  const after = Number((await pool.query('SELECT count(*) AS n FROM bench_peer_reports')).rows[0].n);
  return { perSecond, reports: after - before };
}

/** A Bot Framework Storage on PostgreSQL: one JSONB row per key, with optimistic eTags as the spec asks. */
class PostgresStorage implements Storage {
  constructor(private readonly pool: pg.Pool) {}
  async read(keys: string[]): Promise<StoreItems> {
    const { rows } = await this.pool.query<{ key: string; value: Record<string, unknown>; etag: string }>('SELECT key, value, etag FROM bench_bf_state WHERE key = ANY($1)', [keys]);
    return Object.fromEntries(rows.map((r) => [r.key, { ...r.value, eTag: r.etag }]));
  }
  async write(changes: StoreItems): Promise<void> {
    for (const [key, value] of Object.entries(changes)) {
      const { eTag, ...rest } = value as { eTag?: string };
      const etag = randomUUID();
      if (!eTag || eTag === '*') {
        await this.pool.query('INSERT INTO bench_bf_state (key, value, etag) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = $2, etag = $3', [key, rest, etag]);
      } else {
        const { rowCount } = await this.pool.query('UPDATE bench_bf_state SET value = $2, etag = $3 WHERE key = $1 AND etag = $4', [key, rest, etag, eTag]);
        if (!rowCount) throw new Error('storage: eTag conflict');
      }
    }
  }
  async delete(keys: string[]): Promise<void> {
    await this.pool.query('DELETE FROM bench_bf_state WHERE key = ANY($1)', [keys]);
  }
}

class InProcessAdapter extends BotAdapter {
  sent = 0;
  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    this.sent += activities.length;
    return activities.map(() => ({ id: randomUUID() }));
  }
  async updateActivity(): Promise<void> {}
  async deleteActivity(): Promise<void> {}
  async continueConversation(_reference: Partial<ConversationReference>, _logic: (context: TurnContext) => Promise<void>): Promise<void> {}
  process(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    return this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

async function botbuilder(pool: pg.Pool, storage: Storage): Promise<{ perSecond: number; reports: number }> {
  const adapter = new InProcessAdapter();
  const conversationState = new ConversationState(storage);
  const dialogs = new DialogSet(conversationState.createProperty('dialogState'));
  dialogs.add(new TextPrompt('ask'));
  const steps = QUESTIONS.map((q, i) => async (step: WaterfallStepContext) => {
    if (i > 0) (step.values as Record<string, unknown>)[QUESTIONS[i - 1]!.key] = step.result;
    return step.prompt('ask', MessageFactory.suggestedActions(q.options, q.question));
  });
  dialogs.add(
    new WaterfallDialog('report', [
      ...steps,
      async (step) => {
        (step.values as Record<string, unknown>)[QUESTIONS.at(-1)!.key] = step.result;
        await insertReport(pool, step.values);
        await step.context.sendActivity('Đã nhận báo cáo. Cảm ơn bạn.');
        return step.endDialog();
      },
    ]),
  );
  const logic = async (context: TurnContext) => {
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog('report');
    await conversationState.saveChanges(context);
  };
  const before = Number((await pool.query('SELECT count(*) AS n FROM bench_peer_reports')).rows[0].n);
  const run = randomUUID();
  const perSecond = await drive(async (user, step) => {
    const m = SCRIPT[step]!;
    await adapter.process(
      {
        type: 'message',
        id: randomUUID(),
        text: m.text ?? m.choiceId!,
        channelId: 'bench',
        serviceUrl: 'http://127.0.0.1/',
        from: { id: `${run}-${user}`, name: 'U' },
        recipient: { id: 'bot', name: 'Bot' },
        conversation: { id: `${run}-${user}`, isGroup: false, conversationType: 'personal', name: '' },
      },
      logic,
    );
  });
  const after = Number((await pool.query('SELECT count(*) AS n FROM bench_peer_reports')).rows[0].n);
  return { perSecond, reports: after - before };
}

export default async function bench(): Promise<BenchResult[]> {
  const serverUrl = await benchPostgresUrl();
  if (!serverUrl) return [{ name: 'peers skipped', unit: '', value: 0, baseline: { name: 'none', value: 1 }, ratio: 0, notes: 'needs PostgreSQL: set BENCH_DATABASE_URL or run one on 127.0.0.1:5432' }];
  const scratch = await createScratchDatabase(serverUrl, 'hotline_bench_peers');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 10 });
  pool.on('error', () => {}); // connections dropped with the scratch database at the end
  try {
    // Our migrations first (they refuse a schema that already has tables), then the peers' tables.
    await (await openDatabase({ kind: 'postgres', url: scratch.url })).close();
    await pool.query('CREATE TABLE bench_peer_reports (id bigserial PRIMARY KEY, body jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())');
    await pool.query('CREATE TABLE bench_bf_state (key text PRIMARY KEY, value jsonb NOT NULL, etag text NOT NULL)');
    const our = await ours(scratch.url);
    const peers = [
      { name: 'grammY conversations + storage-psql', ...(await grammy(pool)) },
      { name: 'botbuilder-dialogs WaterfallDialog, PostgreSQL storage', ...(await botbuilder(pool, new PostgresStorage(pool))) },
      { name: 'botbuilder-dialogs WaterfallDialog, MemoryStorage (no database for state)', ...(await botbuilder(pool, new MemoryStorage())) },
    ];
    for (const r of [our, ...peers]) {
      if (r.reports < USERS) throw new Error(`peers bench: a run filed ${r.reports} reports for ${USERS} users`);
    }
    return peers.map((peer) => ({
      name: `report conversation: ours vs ${peer.name}`,
      unit: 'msg/s',
      value: our.perSecond,
      baseline: { name: peer.name, value: peer.perSecond },
      ratio: our.perSecond / peer.perSecond,
      notes: `${USERS} users × ${SCRIPT.length} messages, ${CONCURRENCY} users at a time, PostgreSQL; ratio = ours/theirs (target ≥ 2)`,
    }));
  } finally {
    await pool.end();
    await scratch.drop();
  }
}
