/**
 * A person using the web chat, driven over the Direct Line HTTP API exactly as Web Chat does
 * (start in the page's language, post typed text or a button's value, read activities after the
 * watermark): typed answers and teen-speak, the shorter report with its codes card, directory
 * results that each give a way to act, and the new FAQ answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelModules } from '../../bots/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { directLineCall } from '../helpers/directline-client.js';

interface Activity {
  id: string;
  type: string;
  from: { role: string };
  text?: string;
  suggestedActions?: { actions: { title: string; value: { choiceId: string } }[] };
  attachments?: { contentType: string; content: { title: string; text: string; buttons?: { title: string; value: { choiceId: string } }[] } }[];
}
interface ActivitySet {
  activities: Activity[];
  watermark: string | null;
}

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await createTestApp({ channelModules });
  base = await app.listen();
});
afterAll(async () => {
  await app.close();
});

const call = (method: string, path: string, token?: string, body?: unknown) => directLineCall(base, method, path, token, body);

/** One web chat visitor: starts in `lang` and talks; each step returns the bot's new activities. */
async function visitor(lang: 'vi' | 'en') {
  const generated = (await call('POST', '/v3/directline/tokens/generate')).body.token as string;
  const started = await call('POST', '/v3/directline/conversations', generated, { locale: lang });
  const id = started.body.conversationId as string;
  // As Direct Line clients do, the conversation's own token (it carries the page's language) is used from here on.
  const token = started.body.token as string;
  let watermark: string | null = null;
  let sent = 0;
  const read = async (): Promise<Activity[]> => {
    const set = (await call('GET', `/v3/directline/conversations/${id}/activities${watermark ? `?watermark=${watermark}` : ''}`, token)).body as unknown as ActivitySet;
    watermark = set.watermark ?? watermark;
    return set.activities.filter((a) => a.from.role === 'bot');
  };
  const post = async (activity: Record<string, unknown>) => {
    sent++;
    const posted = await call('POST', `/v3/directline/conversations/${id}/activities`, token, { type: 'message', channelData: { clientActivityID: `${id}-${sent}` }, ...activity });
    expect(posted.status).toBe(200);
    let bot: Activity[] = [];
    await expect.poll(async () => (bot = [...bot, ...(await read())]).length, { timeout: 30_000 }).toBeGreaterThan(0);
    return bot;
  };
  const first = await read();
  return {
    first,
    say: (text: string) => post({ text }),
    press: (choiceId: string) => post({ value: { choiceId } }),
  };
}

const texts = (activities: Activity[]) => activities.map((a) => a.text ?? '').join('\n');
const offered = (activities: Activity[]) => activities.flatMap((a) => a.suggestedActions?.actions.map((x) => x.value.choiceId) ?? []);

describe('the web chat over Direct Line, as a person uses it', () => {
  it('starts in the page\'s language with the menu (no language question)', async () => {
    const vi = await visitor('vi');
    expect(texts(vi.first)).toMatch(/^Chào bạn! Đây là Tổng đài 111/);
    expect(offered(vi.first)).toEqual(['report', 'rights', 'help', 'signs', 'counsellor']);
    const en = await visitor('en');
    expect(texts(en.first)).toMatch(/How can we help you\?/);
  });

  it('typed answers: sentences, no diacritics and teen-speak at the menu and at yes/no questions', async () => {
    const u = await visitor('vi');
    expect(offered(await u.say('kiem tra loi moi viec lam'))).toContain('signs.start');
    let said = await u.say('bat dau');
    const forms = ['khum', 'uk', 'ko', 'dạ', 'k', 'vâng', 'hok', 'ko bik', 'hong', 'co'];
    for (const [i, form] of forms.entries()) {
      expect(texts(said), `before "${form}"`).toContain(`(${i + 1}/10)`);
      said = await u.say(form);
    }
    expect(offered(said)).toEqual(expect.arrayContaining(['signs.report', 'counsellor']));
    // "menu" from anywhere; a sentence asking for a counsellor hands the chat over.
    expect(offered(await u.say('menu'))).toContain('report');
    const queued = await u.say('cho em nói chuyện với tư vấn viên đi ạ');
    expect(texts(queued)).toMatch(/vị trí số 1/);
  });

  it('the shorter report: saved after what, where, danger and details, with the codes in a card of their own', async () => {
    const u = await visitor('vi');
    const what = await u.say('bao tin');
    expect(offered(what)).toEqual(expect.arrayContaining(['cat.scam_compound', 'report.followUp']));
    expect(texts(what)).toMatch(/chuyển cho công an hoặc chính quyền địa phương/);
    expect(offered(await u.say('lua dao'))).toContain('place.abroad');
    expect(offered(await u.say('e o cpc'))).toContain('country.KH');
    expect(texts(await u.say('campuchia'))).toMatch(/nguy hiểm ngay bây giờ/);
    expect(offered(await u.say('khum'))).toContain('report.send');
    // Details that show a risk ("giữ hộ chiếu" is high): the report is saved all the same, and a counsellor comes.
    const saved = await u.say('Họ hứa việc nhẹ lương cao qua Telegram, giờ giữ hộ chiếu');
    const card = saved.flatMap((a) => a.attachments ?? []).find((c) => c.content.title === 'Mã của bạn (giữ kín)');
    expect(card?.content.text).toMatch(/^Mã tin báo: HT-[2-9A-Z]{4}-[2-9A-Z]{4}\nMã bí mật: [2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(offered(saved)).toEqual(expect.arrayContaining(['wait.details', 'wait.assistant', 'wait.cancel']));
    expect(texts(saved)).toMatch(/vị trí số/);
    // Once read, the stored copy of the code is masked (the client asks from past it).
    const code = card!.content.text.match(/Mã bí mật: ([2-9A-Z]{4}-[2-9A-Z]{4})/)![1]!;
    await u.say('cảm ơn');
    const stored = await app.database.prisma.message.findMany({ where: { channel: 'webchat', direction: 'outbound' } });
    expect(JSON.stringify(stored.map((m) => [m.text, m.payload]))).not.toContain(code);
    const reference = card!.content.text.match(/HT-[2-9A-Z-]{9}/)![0];
    const row = await app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference } });
    expect(row).toMatchObject({ category: 'scam_compound', province: 'abroad', country: 'KH', inDanger: false, channel: 'webchat' });
  });

  it('find help: every result gives a way to act, and the connect button reaches a counsellor', async () => {
    const u = await visitor('vi');
    expect(offered(await u.say('tim cho giup'))).toContain('need.shelter');
    await u.say('cho o');
    const results = await u.say('An Giang');
    const cards = results.flatMap((a) => a.attachments ?? []).map((c) => c.content);
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      const checked = /\(Đã kiểm tra: .+, ngày \d{2}\/\d{2}\/\d{4}\)/.test(card.text);
      const connect = card.buttons?.find((b) => b.title === 'Tư vấn viên 111 kết nối giúp bạn');
      expect(checked || Boolean(connect), card.title).toBe(true);
    }
    expect(offered(results)[0]).toBe('help.connect');
    const target = cards.find((c) => c.buttons?.length)!;
    const queued = await u.press(target.buttons![0]!.value.choiceId);
    expect(texts(queued)).toMatch(/vị trí số/);
  });

  it('FAQ answers for compensation and for child victims', async () => {
    const u = await visitor('vi');
    await u.say('quyen loi');
    const money = await u.say('boi thuong');
    expect(texts(money)).toMatch(/bồi thường/);
    expect(texts(money)).toContain('Điều 37');
    const child = await u.say('tre em bi mua ban duoc ho tro gi');
    expect(texts(child)).toMatch(/mọi chế độ hỗ trợ/);
    const en = await visitor('en');
    await en.say('my rights');
    expect(texts(await en.say('compensation'))).toMatch(/claim compensation/);
  });
});
