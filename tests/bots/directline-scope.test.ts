/**
 * What stays inside one web chat conversation, and what reaches it from elsewhere, over real HTTP and
 * raw WebSockets: masking the secret code once its client has it touches no other conversation's
 * code (stream or read past); a stream that starts at the welcome logs no failure; and what another
 * instance writes in a held chat (no reply, nothing in the outbox) reaches this instance's socket
 * when its bus comes back (resync).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelModules } from '../../bots/index.js';
import { claimHandoff } from '../../core/queue/operations.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { directLineVisitor, secretCodeIn, type DlActivity } from '../helpers/directline-visitor.js';

describe('Direct Line: one conversation’s secret code', () => {
  let app: TestApp;
  let dl: ReturnType<typeof directLineVisitor>;
  beforeAll(async () => {
    app = await createTestApp({ channelModules });
    dl = directLineVisitor(app, await app.listen());
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  /** A conversation that has been shown its codes card, read with GETs only up to just before it (so still stored in clear). */
  const bystander = async () => {
    const { conversationId, token } = await dl.startIn('vi');
    let watermark: string | null = null;
    const seen: DlActivity[] = [];
    await dl.typeShortReport(conversationId, token, async () => {
      const set = await dl.activities(conversationId, token, watermark);
      watermark = set.watermark ?? watermark;
      seen.push(...set.activities);
    });
    const code = secretCodeIn(seen)!;
    expect(code).toBeTruthy();
    expect(await dl.storedHolds(conversationId, code)).toBe(true);
    return { conversationId, token, code, readPast: () => dl.activities(conversationId, token, watermark) };
  };

  it('is masked when its own stream or read passes it, never another conversation’s', async () => {
    const other = await bystander();
    const streamed = await dl.startIn('vi');
    const stream = await dl.openStream(streamed.streamUrl);
    await dl.typeShortReport(streamed.conversationId, streamed.token, async () => {});
    await expect.poll(() => secretCodeIn(stream.all()), { timeout: 60_000 }).toBeTruthy();
    await expect.poll(() => dl.storedHolds(streamed.conversationId, secretCodeIn(stream.all())!), { timeout: 30_000 }).toBe(false);
    stream.ws.close();
    expect(await dl.storedHolds(other.conversationId, other.code)).toBe(true);

    const read = await bystander();
    await read.readPast();
    expect(await dl.storedHolds(read.conversationId, read.code)).toBe(false);
    expect(await dl.storedHolds(other.conversationId, other.code)).toBe(true);
    // Streams that began at the welcome (watermark "w") and carried the card logged no failure.
    expect(app.logLines.filter((line) => line.includes('push failed'))).toEqual([]);
  });
});

describe('Direct Line: another instance on the same database', () => {
  // Two apps share one embedded database and one APP_SECRET, each with its own in-process bus: what
  // one writes reaches the other's sockets only through the bus, or a resync after it was away.
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    const shared = { ...database, close: async () => {} };
    const env = { APP_SECRET: 'directline-scope-two-instances-secret-0123456789' };
    one = await createTestApp({ channelModules, database: shared, env });
    two = await createTestApp({ channelModules, database: shared, env });
  }, 120_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await database?.close();
  });

  it('a held chat: what the person wrote through the other instance reaches this socket when the bus resyncs', async () => {
    const dl = directLineVisitor(one, await one.listen());
    const { conversationId: id, token, streamUrl } = await dl.startIn('vi');
    await dl.postText(id, token, 'cho mình nói chuyện với tư vấn viên', 'held-1');
    const conversation = await database.prisma.conversation.findFirstOrThrow({ where: { channel: 'webchat', externalChatId: id } });
    const handoff = await database.prisma.handoff.findFirstOrThrow({ where: { conversationId: conversation.id } });
    const staff = await database.prisma.staffUser.create({ data: { email: 'dl-scope@111.vn', displayName: 'DLS', role: 'counsellor', passwordHash: 'x' } });
    await claimHandoff(one.queue, { handoffId: handoff.id, counsellorId: staff.id });
    const stream = await dl.openStream(streamUrl);
    await expect.poll(() => stream.all().some((a) => a.text === 'cho mình nói chuyện với tư vấn viên'), { timeout: 30_000 }).toBe(true);

    // Held by a counsellor, the bot stays quiet: the other instance stores only the person's message (nothing to deliver).
    await two.runtime.handleTurn({ channel: 'webchat', externalUserId: id, externalChatId: id, externalMessageId: 'held-other-1', kind: 'text', payload: { text: 'mình vẫn ở đây' } });
    await expect.poll(() => database.prisma.message.count({ where: { conversationId: conversation.id, direction: 'outbound', status: 'pending' } }), { timeout: 30_000 }).toBe(0);
    one.bus.publish({ type: 'bus.resync' });
    await expect.poll(() => stream.all().some((a) => a.from.role === 'user' && a.text === 'mình vẫn ở đây'), { timeout: 30_000 }).toBe(true);
    expect(new Set(stream.all().map((a) => a.id)).size).toBe(stream.all().length); // nothing sent twice
    stream.ws.close();
  });
});
