/**
 * The person's side of the queue, through handleTurn on a real (PGlite) database: emergency guidance
 * that fits where they are, a waiting room with buttons that work ("menu" keeps the place, cancel
 * cancels), position updates at most once a minute, the SLA fallback, and what they started kept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimHandoff, listQueue } from '../../../core/queue/operations.js';
import { scanPositions, scanSla } from '../../../core/queue/sla.js';
import { allNumbers } from '../../../core/safety/numbers.js';
import { whereaboutsFromText } from '../../../core/safety/whereabouts.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/db.js';
import { driver } from '../../flows/helpers.js';

const MOFA = '+84 981 84 84 84';

describe('waiting for a counsellor', () => {
  let app: TestApp;
  let clockMs = Date.parse('2026-12-01T20:00:00Z');
  const clock = () => new Date(clockMs);

  beforeEach(async () => {
    clockMs = Date.parse('2026-12-01T20:00:00Z');
    app = await createTestApp({ database: await createTestDatabase(), clock, env: { HANDOFF_SLA_SECONDS: '120' } });
  });
  afterEach(async () => {
    await app.close();
  });

  const vi = async (user: string) => {
    const u = driver(app, user);
    await u.text('xin chào');
    await u.choose('lang.vi');
    return u;
  };
  const handoffOf = (conversationId: string) => app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId }, orderBy: { createdAt: 'desc' } });
  const staff = async (email: string) => (await app.database.prisma.staffUser.create({ data: { email, displayName: email, role: 'counsellor', passwordHash: 'x' } })).id;

  it('held abroad: a warm word first, the citizen-protection line (not 113/115), advice for someone confined, and a safety check', async () => {
    const u = await vi('abroad');
    const said = await u.text('cuu e voi, e dang bi nhot o cpc, ho danh e');
    expect(said.handoffId).toBeTruthy();
    const all = said.texts.join('\n');
    expect(said.texts[0]).toMatch(/^Mình rất lo cho bạn/);
    expect(all).toContain(MOFA);
    expect(all).toMatch(/113 và 115 không gọi được/);
    expect(all).not.toMatch(/gọi 113|gọi 115|đông người/);
    expect(all).toMatch(/giấu điện thoại/);
    // Where they are was understood from the message, so the next question is the safety check.
    expect(said.texts.at(-1)).toMatch(/nhắn tin an toàn/);
    expect(said.choices.map((c) => c.id)).toEqual(['safe.yes', 'safe.watched', 'safe.hurry']);
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } });
    expect(conversation.whereabouts).toBe('abroad:KH');

    const watched = await u.choose('safe.watched');
    expect(watched.texts.join('\n')).toMatch(/xoá đoạn chat/);
    expect((await handoffOf(u.conversationId!)).categories).toContain('phone_watched');
    expect(watched.choices.map((c) => c.id)).toContain('wait.details');
  });

  it('in Myanmar: the verified embassy line too', async () => {
    const u = await vi('myanmar');
    const said = await u.text('help me, they locked us in a compound in Myawaddy');
    expect(said.texts.join('\n')).toContain('+95 966 088 8998');
    expect(said.texts.join('\n')).toContain(MOFA);
  });

  it('where unknown: both sets of numbers, a one-tap question, then the numbers for Vietnam', async () => {
    const u = await vi('unknown-where');
    const said = await u.text('cứu em với, em đang bị nhốt');
    expect(said.texts.join('\n')).toMatch(/Nếu bạn đang ở Việt Nam: gọi 113/);
    expect(said.texts.join('\n')).toContain(MOFA);
    expect(said.texts.at(-1)).toMatch(/Việt Nam hay ở nước ngoài/);
    const answer = await u.choose('where.vn');
    expect(answer.texts.join('\n')).toMatch(/113/);
    expect(answer.texts.join('\n')).toMatch(/115/);
    expect(answer.texts.join('\n')).not.toContain(MOFA);
    expect(answer.texts.at(-1)).toMatch(/nhắn tin an toàn/);
    expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } })).whereabouts).toBe('vn');
  });

  it('typed "nuoc ngoai" answers the one-tap question', async () => {
    const u = await vi('typed-where');
    await u.text('cuu toi voi');
    const answer = await u.text('o nuoc ngoai');
    expect(answer.texts.join('\n')).toContain(MOFA);
  });

  it('"menu" while queued goes back to the assistant and keeps the place; asking again returns to the waiting room', async () => {
    const u = await vi('menu-queued');
    const queued = await u.choose('counsellor');
    expect(queued.texts.join('\n')).toMatch(/vị trí số 1/);
    expect(queued.choices.map((c) => c.id)).toEqual(['wait.details', 'wait.assistant', 'wait.report', 'wait.cancel']);
    const menu = await u.text('menu');
    expect(menu.texts.join('\n')).toMatch(/giữ chỗ/);
    expect(menu.choices.map((c) => c.id)).toContain('rights');
    const handoff = await handoffOf(u.conversationId!);
    expect(handoff.state).toBe('waiting');
    // The assistant works while waiting.
    const rights = await u.choose('rights');
    expect(rights.choices.length).toBeGreaterThan(2);
    expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } })).status).toBe('queued');
    const again = await u.text('tư vấn viên');
    expect(again.texts.join('\n')).toMatch(/vẫn đang trong hàng chờ, vị trí số 1/);
    expect(again.choices.map((c) => c.id)).toContain('wait.cancel');
    expect(await app.database.prisma.handoff.count({ where: { conversationId: u.conversationId! } })).toBe(1);
  });

  it('cancel asks once, then closes the request and the assistant carries on', async () => {
    const u = await vi('cancel');
    await u.choose('counsellor');
    const confirm = await u.choose('wait.cancel');
    expect(confirm.choices.map((c) => c.id)).toEqual(['cancel.yes', 'cancel.no']);
    const done = await u.choose('cancel.yes');
    expect(done.texts.join('\n')).toMatch(/Đã huỷ/);
    const handoff = await handoffOf(u.conversationId!);
    expect(handoff.state).toBe('closed');
    expect(handoff.outcome).toBe('cancelled_by_user');
    expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } })).status).toBe('bot');
    expect(done.choices.map((c) => c.id)).toContain('report'); // the menu again
  });

  it('a flow interrupted by the request is kept: the person can continue it while waiting', async () => {
    const u = await vi('interrupted');
    await u.choose('report');
    const category = await u.choose('cat.scam_compound');
    const question = category.texts.at(-1)!;
    const queued = await u.choose('counsellor');
    expect(queued.texts.join('\n')).toMatch(/vẫn được giữ nguyên/);
    expect(queued.choices.find((c) => c.id === 'wait.assistant')?.label).toMatch(/Làm tiếp/);
    expect(queued.choices.map((c) => c.id)).not.toContain('wait.report'); // a report is already in progress
    const resumed = await u.choose('wait.assistant');
    expect(resumed.texts.at(-1)).toBe(question);
    expect((await handoffOf(u.conversationId!)).state).toBe('waiting');
  });

  it('danger told as the answer to a report question: the report is saved with its codes and a counsellor comes, guidance first', async () => {
    const u = await vi('report-danger');
    await u.choose('report');
    await u.choose('cat.scam_compound');
    await u.text('Bavet');
    await u.choose('no');
    const said = await u.text('em bị nhốt ở Bavet, họ đánh em mỗi ngày, cứu em');
    expect(said.handoffId).toBeTruthy();
    expect(said.texts[0]).toMatch(/^Mình rất lo/);
    const all = said.texts.join('\n');
    expect(all).toMatch(/HT-[2-9A-Z]{4}-[2-9A-Z]{4}/); // saved: the codes were given
    expect(all).toContain(MOFA);
    expect(await app.database.prisma.report.count({ where: { conversationId: u.conversationId! } })).toBe(1);
  });

  it('a button of the assistant pressed after the wait began goes to the assistant, the place kept', async () => {
    const u = await vi('late-button');
    await u.choose('counsellor');
    const menu = await u.choose('rights');
    expect(menu.choices.length).toBeGreaterThan(2);
    expect((await handoffOf(u.conversationId!)).state).toBe('waiting');
  });

  it('a report can be started while waiting', async () => {
    const u = await vi('report-while-waiting');
    await u.choose('counsellor');
    const report = await u.choose('wait.report');
    expect(report.choices.map((c) => c.id)).toContain('cat.scam_compound');
    expect(report.texts.some((t) => /Mình có thể giúp gì/.test(t))).toBe(false);
  });

  it('tells people when they move up, at most once a minute, and never twice for one move', async () => {
    const a = await vi('pos-a');
    const b = await vi('pos-b');
    const c = await vi('pos-c');
    await a.choose('counsellor');
    clockMs += 1000;
    await b.choose('counsellor');
    clockMs += 1000;
    await c.choose('counsellor');
    const counsellor = await staff('lan@example.org');
    await claimHandoff(app.queue, { handoffId: (await handoffOf(a.conversationId!)).id, counsellorId: counsellor });
    // Less than a minute since b and c were told their place: nothing yet.
    expect((await scanPositions(app.queue)).told).toBe(0);
    clockMs += 61_000;
    expect((await scanPositions(app.queue)).told).toBe(2);
    expect((await scanPositions(app.queue)).told).toBe(0);
    const lastOf = async (conversationId: string) =>
      (await app.database.prisma.message.findFirstOrThrow({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'desc' } })).text;
    expect(await lastOf(b.conversationId!)).toMatch(/lên vị trí số 1/);
    expect(await lastOf(c.conversationId!)).toMatch(/lên vị trí số 2/);
  });

  it('after the SLA: leave a message here, and the numbers for where the person is', async () => {
    const u = await vi('sla');
    await u.text('em bị giữ ở bavet, cứu em');
    clockMs += 121_000;
    const { breached } = await scanSla(app.queue);
    expect(breached).toHaveLength(1);
    const last = await app.database.prisma.message.findFirstOrThrow({ where: { conversationId: u.conversationId!, direction: 'outbound' }, orderBy: { seq: 'desc' } });
    expect(last.text).toMatch(/để lại lời nhắn ở đây/);
    expect(last.text).toContain(MOFA);
    expect((last.payload as { choices?: unknown[] }).choices?.length).toBeGreaterThan(0);
  });

  it('a later emergency while queued raises the priority, moves the chat to the front of the queue and gets the guidance once', async () => {
    // Someone else asked first, at the same priority: ahead in the queue.
    const earlier = await vi('raise-earlier');
    await earlier.choose('counsellor');
    clockMs += 1000;
    const u = await vi('raise');
    await u.choose('counsellor');
    expect((await handoffOf(u.conversationId!)).priority).toBe(1);
    const order = async () => (await listQueue(app.queue)).map((q) => q.conversationId);
    expect(await order()).toEqual([earlier.conversationId, u.conversationId]);
    clockMs += 1000;
    const urgent = await u.text('họ đang đến, cứu em');
    expect((await handoffOf(u.conversationId!)).priority).toBe(3);
    expect(await order()).toEqual([u.conversationId, earlier.conversationId]);
    expect(urgent.texts[0]).toMatch(/Mình rất lo/);
    const again = await u.text('cứu em với');
    expect(again.texts.join('\n')).not.toMatch(/Mình rất lo/);
  });
});

describe('emergency numbers data', () => {
  it('every number has a source and a check date, and only verified ones can be shown', () => {
    for (const n of allNumbers()) {
      expect(n.source.length).toBeGreaterThan(10);
      expect(n.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    const shown = allNumbers().filter((n) => n.verified).map((n) => n.number);
    expect(shown).toEqual(expect.arrayContaining(['111', '113', '115', MOFA, '+95 966 088 8998']));
    expect(shown).not.toContain('+84 24 62 844 844');
  });

  it.each([
    ['e bi nhot o cpc', 'abroad:KH'],
    ['em đang ở Sihanoukville', 'abroad:KH'],
    ['I am in KK Park, Myawaddy', 'abroad:MM'],
    ['bị bán sang Trung Quốc', 'abroad:CN'],
    ['chị em sang lào làm việc', 'abroad:LA'],
    ['em đi lao động ở Hà Nội', undefined],
    ['em đang ở Việt Nam rồi', 'vn'],
    ['xin chào', undefined],
  ])('reads where the person is from "%s"', (text, expected) => {
    const w = whereaboutsFromText(text);
    expect(w ? (w.where === 'vn' ? 'vn' : `abroad${w.country ? `:${w.country}` : ''}`) : undefined).toBe(expected);
  });
});

describe('numbers in texts', () => {
  it('no text carries a phone number of its own: they come from the numbers file', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { translate } = await import('../../../core/i18n/index.js');
    for (const lng of ['vi', 'en']) {
      for (const file of readdirSync(`locales/${lng}`).filter((f) => f.endsWith('.json') && f !== 'risk.json')) {
        const raw = readFileSync(`locales/${lng}/${file}`, 'utf8');
        expect(raw, `${lng}/${file}`).not.toMatch(/\+\d{2} ?\d{2,3} ?\d{2,3}|(?<![\d{_])11[35](?![\d_])/);
      }
    }
    // …and they are filled in from it.
    expect(translate('vi', 'safety:abroad', {})).toContain(MOFA);
    expect(translate('en', 'webchat:landing.call', {})).toContain('113');
  });
});
