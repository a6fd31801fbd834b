/**
 * Every rule family on messages written for it, each expanded into the ways people type it: as written,
 * without diacritics, and in teen-speak (built from the lexicon's own teen-speak table, inverted), so a
 * family that only works with accents fails here. Families that by design need the typed accents
 * ("bán" vs "bạn") are marked and tested as written only, with their unaccented twin shown to be caught
 * by another family.
 */
import { describe, expect, it } from 'vitest';
import { rulesDetector } from '../../../core/risk/assess.js';
import { readLexiconFile } from '../../../core/risk/lexicon.js';
import { foldWord } from '../../../core/risk/normalise.js';
import { riskRank, type RiskLevelName } from '../../../core/risk/types.js';
import { stripDiacritics } from '../../../text/fold.js';

const rules = rulesDetector();

/**
 * The teen-speak table inverted: "không" → "ko", "công ty" → "cty"... (a two-letter form or longer when
 * there is one). Words whose unaccented form is also another word ("anh"/"ảnh", "bạn"/"bán", "tối"/"tôi")
 * are left alone: teen-speak shortens the word the writer meant, which a folded text no longer shows.
 */
const AMBIGUOUS = new Set(['anh', 'chi', 'toi', 'ban', 'moi', 'vo', 'lam', 'roi', 'a', 'vay', 'gi', 'qua', 'di']);

function inverseTeen(lng: 'vi' | 'en'): { re: RegExp; map: Map<string, string> } {
  const best = new Map<string, string>();
  const rank = (form: string) => (form.length >= 2 ? form.length : 10);
  for (const [short, long] of Object.entries(readLexiconFile(lng).teen)) {
    const key = long.split(/\s+/).map(foldWord).join(' ');
    const form = foldWord(short);
    if (!/^[a-z]+$/.test(form) || form === key || AMBIGUOUS.has(key)) continue;
    const seen = best.get(key);
    if (!seen || rank(form) < rank(seen)) best.set(key, form);
  }
  const keys = [...best.keys()].sort((a, b) => b.length - a.length);
  // One pass, longest first, so a replacement is never replaced again.
  return { re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${keys.join('|')})(?![\\p{L}\\p{N}])`, 'gu'), map: best };
}

const TEEN = { vi: inverseTeen('vi'), en: inverseTeen('en') };

export function variants(text: string, lng: 'vi' | 'en'): { name: string; text: string }[] {
  const plain = stripDiacritics(text).toLowerCase();
  const { re, map } = TEEN[lng];
  const teen = plain.replace(re, (word) => map.get(word) ?? word);
  const out = [{ name: 'as written', text }];
  if (plain !== text) out.push({ name: 'no diacritics', text: plain });
  if (teen !== plain) out.push({ name: 'teen-speak', text: teen });
  return out;
}

interface Case {
  family: string;
  text: string;
  level: RiskLevelName;
  accentsOnly?: boolean;
}

const VI: Case[] = [
  { family: 'self_harm.intent', text: 'em muốn chết cho xong', level: 'emergency' },
  { family: 'self_harm.intent', text: 'tối nay em tính tự tử', level: 'emergency' },
  { family: 'self_harm.farewell', text: 'xin lỗi ba mẹ, tạm biệt mọi người', level: 'high' },
  { family: 'self_harm.cannot_go_on', text: 'em không chịu nổi nữa', level: 'elevated' },
  { family: 'danger.help', text: 'cứu em với', level: 'emergency' },
  { family: 'danger.urgent', text: 'khẩn cấp', level: 'emergency' },
  { family: 'danger.plea', text: 'giúp em với', level: 'elevated' },
  { family: 'danger.covert', text: 'em đang mượn máy nhắn', level: 'high' },
  { family: 'danger.fear', text: 'em sợ quá', level: 'elevated' },
  { family: 'danger.now', text: 'họ có dao', level: 'emergency' },
  { family: 'danger.hiding', text: 'em đang trốn trong nhà vệ sinh', level: 'emergency' },
  { family: 'danger.pursuit', text: 'tụi nó đang đuổi theo em', level: 'emergency' },
  { family: 'pursuit.watched', text: 'em bị theo dõi', level: 'high' },
  { family: 'confinement.locked', text: 'họ nhốt em trong phòng', level: 'emergency' },
  { family: 'confinement.not_home', text: 'công ty không cho em về nước', level: 'high' },
  { family: 'confinement.no_contact', text: 'chủ không cho em liên lạc với gia đình', level: 'high' },
  { family: 'confinement.phone_taken', text: 'họ thu điện thoại của em', level: 'elevated' },
  { family: 'confinement.phone_taken', text: 'họ thu điện thoại và giữ hộ chiếu của em', level: 'high' },
  { family: 'violence.beaten', text: 'em bị chủ đánh', level: 'high' },
  { family: 'violence.beaten', text: 'nó đang đánh em', level: 'emergency' },
  { family: 'violence.injury', text: 'em chảy máu nhiều lắm', level: 'emergency' },
  { family: 'violence.wounds', text: 'lưng em bầm tím hết', level: 'high' },
  { family: 'violence.quota', text: 'không đạt chỉ tiêu là bị phạt', level: 'high' },
  { family: 'violence.domestic', text: 'em bị bạo hành', level: 'elevated' },
  { family: 'threat.kill', text: 'nó dọa giết em', level: 'emergency' },
  { family: 'threat.harm', text: 'họ dọa bán em sang chỗ khác', level: 'high' },
  { family: 'threat.generic', text: 'em bị đe dọa', level: 'elevated' },
  { family: 'sale.person_strict', text: 'họ bán em rồi', level: 'high', accentsOnly: true },
  { family: 'sale.person', text: 'em bị bán sang Trung Quốc', level: 'high' },
  { family: 'sale.baby', text: 'có người hỏi mua em bé của em', level: 'high' },
  { family: 'sale.surrogacy', text: 'có người rủ em đẻ thuê', level: 'elevated' },
  { family: 'sale.organ', text: 'có người muốn mua thận của em', level: 'high' },
  { family: 'marriage.forced', text: 'bố mẹ ép em lấy chồng', level: 'high' },
  { family: 'marriage.broker', text: 'bà mối rủ chị em lấy chồng Đài Loan', level: 'elevated' },
  { family: 'movement.taken', text: 'em bị đưa qua biên giới', level: 'high' },
  { family: 'movement.taken', text: 'em sắp bị đưa qua biên giới', level: 'emergency' },
  { family: 'movement.child_taken', text: 'con tôi bị bắt cóc', level: 'emergency' },
  { family: 'movement.lured_abroad', text: 'em bị lừa sang Campuchia', level: 'high' },
  { family: 'movement.lured', text: 'em bị lừa đi làm', level: 'elevated' },
  { family: 'labour.child', text: 'cháu tôi 10 tuổi phải đi bán vé số', level: 'high' },
  { family: 'movement.runaway', text: 'con tôi bỏ nhà theo người lạ', level: 'elevated' },
  { family: 'movement.invited_across', text: 'người yêu quen qua mạng rủ em qua bên kia biên giới', level: 'elevated' },
  { family: 'documents.held', text: 'chủ giữ hộ chiếu của em', level: 'high' },
  { family: 'documents.request', text: 'chủ quán đòi giữ căn cước của em', level: 'elevated' },
  { family: 'debt.bondage', text: 'em phải làm trả nợ', level: 'high' },
  { family: 'ransom.demand', text: 'họ đòi tiền chuộc', level: 'high' },
  { family: 'sexual.forced', text: 'em bị ép tiếp khách', level: 'high' },
  { family: 'sexual.rape', text: 'em bị hiếp', level: 'high' },
  { family: 'sexual.groped', text: 'em bị sàm sỡ', level: 'elevated' },
  { family: 'sexual.sextortion', text: 'nó dọa tung ảnh nóng của em', level: 'high' },
  { family: 'sexual.forced_content', text: 'họ ép em quay clip nóng', level: 'high' },
  { family: 'sexual.photo_request', text: 'bạn trai đòi em gửi ảnh nóng', level: 'elevated' },
  { family: 'labour.forced', text: 'em bị ép làm việc không lương', level: 'high' },
  { family: 'labour.coerced_weak', text: 'công ty không trả lương', level: 'elevated' },
  { family: 'missing.person', text: 'chị tôi mất liên lạc', level: 'elevated' },
  { family: 'missing.person', text: 'chị tôi lấy chồng Trung Quốc, 2 tháng nay mất liên lạc', level: 'high' },
  { family: 'survivor.back', text: 'em mới được giải cứu về', level: 'high' },
  { family: 'recruit.red_flags', text: 'việc nhẹ lương cao không cần kinh nghiệm', level: 'elevated' },
];

const EN: Case[] = [
  { family: 'self_harm.intent', text: 'I want to kill myself', level: 'emergency' },
  { family: 'self_harm.farewell', text: 'goodbye everyone', level: 'high' },
  { family: 'self_harm.cannot_go_on', text: 'I cannot go on', level: 'elevated' },
  { family: 'danger.help', text: 'please help me', level: 'emergency' },
  { family: 'danger.plea', text: 'I need help', level: 'elevated' },
  { family: 'danger.covert', text: 'I am using a borrowed phone', level: 'high' },
  { family: 'danger.fear', text: 'I am so scared', level: 'elevated' },
  { family: 'danger.now', text: 'they have guns', level: 'emergency' },
  { family: 'danger.hiding', text: 'I am hiding in the bathroom', level: 'emergency' },
  { family: 'danger.pursuit', text: 'someone is chasing me', level: 'emergency' },
  { family: 'pursuit.watched', text: 'I am being watched', level: 'high' },
  { family: 'confinement.locked', text: 'they locked me in the room', level: 'emergency' },
  { family: 'confinement.not_home', text: 'they will not let me go home', level: 'high' },
  { family: 'confinement.no_contact', text: 'they do not let me call my family', level: 'high' },
  { family: 'confinement.phone_taken', text: 'they took my phone', level: 'elevated' },
  { family: 'violence.beaten', text: 'my boss beat me', level: 'high' },
  { family: 'violence.injury', text: 'my friend is bleeding', level: 'emergency' },
  { family: 'violence.wounds', text: 'I have a broken arm', level: 'high' },
  { family: 'violence.quota', text: 'we get punished when we miss the quota', level: 'high' },
  { family: 'violence.domestic', text: 'my husband is abusive', level: 'elevated' },
  { family: 'threat.kill', text: 'he threatened to kill me', level: 'emergency' },
  { family: 'threat.harm', text: 'they threaten to report me to immigration', level: 'high' },
  { family: 'threat.generic', text: 'they threatened me', level: 'elevated' },
  { family: 'sale.person', text: 'I was sold', level: 'high' },
  { family: 'sale.baby', text: 'someone wants to buy my baby', level: 'high' },
  { family: 'sale.organ', text: 'someone wants to buy my kidney', level: 'high' },
  { family: 'marriage.forced', text: 'my parents are forcing me to marry', level: 'high' },
  { family: 'marriage.broker', text: 'a matchmaker came to our village', level: 'elevated' },
  { family: 'movement.taken', text: 'they are taking us across the border', level: 'emergency' },
  { family: 'movement.child_taken', text: 'my daughter was kidnapped', level: 'emergency' },
  { family: 'movement.lured_abroad', text: 'I was tricked into going to Cambodia', level: 'high' },
  { family: 'movement.invited_across', text: 'my online boyfriend wants me to cross the river to meet him', level: 'elevated' },
  { family: 'documents.held', text: 'my employer took my passport', level: 'high' },
  { family: 'documents.request', text: 'they want my passport for safekeeping', level: 'elevated' },
  { family: 'debt.bondage', text: 'I have to work off the debt', level: 'high' },
  { family: 'ransom.demand', text: 'they want ransom', level: 'high' },
  { family: 'sexual.forced', text: 'they forced me to sell sex', level: 'high' },
  { family: 'sexual.rape', text: 'I was raped', level: 'high' },
  { family: 'sexual.groped', text: 'my boss touched me', level: 'elevated' },
  { family: 'sexual.sextortion', text: 'he will leak my nudes', level: 'high' },
  { family: 'sexual.forced_content', text: 'they forced me to film videos', level: 'high' },
  { family: 'sexual.photo_request', text: 'he keeps asking for nudes', level: 'elevated' },
  { family: 'labour.forced', text: 'I was forced to work without pay', level: 'high' },
  { family: 'labour.coerced_weak', text: 'no salary for three months', level: 'elevated' },
  { family: 'missing.person', text: 'my brother is missing', level: 'elevated' },
  { family: 'survivor.back', text: 'I was rescued from the compound', level: 'high' },
  { family: 'recruit.red_flags', text: 'easy job high pay, no experience needed', level: 'elevated' },
];

/** Hard negatives: the words of a family without a person in danger. */
const NEGATIVE: { text: string; lng: 'vi' | 'en' }[] = [
  { text: 'mẹ đánh thức em dậy lúc 6 giờ', lng: 'vi' },
  { text: 'em đánh răng rồi đi ngủ', lng: 'vi' },
  { text: 'em không bị ai đánh cả', lng: 'vi' },
  { text: 'tôi không bị nhốt, chỉ hỏi thôi', lng: 'vi' },
  { text: 'em xem phim về buôn người thấy sợ', lng: 'vi' },
  { text: 'bài thuyết trình về phòng chống mua bán người', lng: 'vi' },
  { text: 'nếu bị giữ hộ chiếu thì nên làm gì', lng: 'vi' },
  { text: 'mẹ cấm em đi chơi tối', lng: 'vi' },
  { text: 'con mèo nhà em trốn ra ngoài', lng: 'vi' },
  { text: 'em bị kẹt thang máy 5 phút', lng: 'vi' },
  { text: 'bán hàng online có cần giấy phép không', lng: 'vi' },
  { text: 'đói muốn chết, ăn gì bây giờ', lng: 'vi' },
  { text: 'sếp dọa trừ lương nếu đi trễ =))', lng: 'vi' },
  { text: 'I was not beaten', lng: 'en' },
  { text: 'the movie about trafficking was sad', lng: 'en' },
  { text: 'help me find a shelter', lng: 'en' },
  { text: 'I sold my old bike', lng: 'en' },
  { text: 'I got stuck in the elevator for ten minutes', lng: 'en' },
];

function check(c: Case, lng: 'vi' | 'en') {
  const forms = c.accentsOnly ? [{ name: 'as written', text: c.text }] : variants(c.text, lng);
  for (const v of forms) {
    const a = rules.assess(v.text);
    const ids = a.matches.map((m) => m.id);
    expect(ids, `${v.name}: "${v.text}"`).toContain(`${lng}.${c.family}`);
    expect(a.level, `${v.name}: "${v.text}"`).toBe(c.level);
  }
}

describe('rule families (Vietnamese), as written, without diacritics and in teen-speak', () => {
  for (const c of VI) it(`${c.family}: ${c.text}`, () => check(c, 'vi'));

  it('sale.person_strict needs the typed accent; the same words unaccented are still caught when they say "bị bán"', () => {
    expect(rules.assess('ho ban em roi').matches.map((m) => m.id)).not.toContain('vi.sale.person_strict');
    expect(rules.assess('bạn em rồi').level).toBe('none');
    expect(rules.assess('e bi ban roi').level).toBe('high');
  });

  it('the variants really differ from the text as written', () => {
    const [written, plain, teen] = variants('em không được về', 'vi').map((v) => v.text);
    expect(written).toBe('em không được về');
    expect(plain).toBe('em khong duoc ve');
    expect(teen).toMatch(/^e k[oh] d[ck] ve$/);
  });
});

describe('rule families (English)', () => {
  for (const c of EN) it(`${c.family}: ${c.text}`, () => check(c, 'en'));

  it('teen-speak English is expanded (pls, u, im)', () => {
    expect(rules.assess('pls help me im locked in').level).toBe('emergency');
  });
});

describe('hard negatives stay below high in every form', () => {
  for (const n of NEGATIVE) {
    it(n.text, () => {
      for (const v of variants(n.text, n.lng)) expect(riskRank(rules.assess(v.text).level), `${v.name}: "${v.text}"`).toBeLessThan(riskRank('high'));
    });
  }
});
