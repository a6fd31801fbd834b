/** Normalisation and each rule of the risk detector, one behaviour per test. */
import { describe, expect, it } from 'vitest';
import { lexiconDetector } from '../../../core/risk/assess.js';
import { rawTokens, repair } from '../../../core/risk/normalise.js';
import { loadLexicon } from '../../../core/risk/lexicon.js';

const d = lexiconDetector();
const level = (text: string) => d.assess(text).level;

describe('normalisation', () => {
  it('folds diacritics (đ → d) and case, keeping spans in the text as typed', () => {
    const tokens = rawTokens('Đang BỊ nhốt');
    expect(tokens.map((t) => t.norm)).toEqual(['dang', 'bi', 'nhot']);
    expect(tokens.map((t) => t.typed)).toEqual(['đang', 'bị', 'nhốt']);
    expect(tokens[2]).toMatchObject({ start: 8, end: 12 });
  });

  it('joins dotted and spaced spellings and drops apostrophes', () => {
    expect(rawTokens('c.u.u t.o.i').map((t) => t.norm)).toEqual(['cuu', 'toi']);
    expect(rawTokens('c u u t o i').map((t) => t.norm)).toEqual(['cuutoi']);
    expect(rawTokens("can't").map((t) => t.norm)).toEqual(['cant']);
  });

  it('repairs repeated letters and leetspeak toward known words only', () => {
    const vi = loadLexicon('vi');
    const en = loadLexicon('en');
    expect(repair('cuuuuu', vi.vocabulary)).toBe('cuu');
    expect(repair('toiiii', vi.vocabulary)).toBe('toi');
    expect(repair('h3lp', en.vocabulary)).toBe('help');
    expect(repair('2k10', vi.vocabulary)).toBe('2k10');
  });

  it('expands teen-speak (ko, dc, e, j...) before matching', () => {
    expect(level('e ko dc ve')).toBe('high');
    expect(level('e bj danh')).toBe('high');
    expect(level('mun chet')).toBe('high');
  });
});

describe('rules', () => {
  it('matches whole words only: "bạn" is not "bán", "bí danh" is not "bị đánh"', () => {
    expect(level('bạn ơi')).toBe('none');
    expect(level('bị bạn lừa mất tiền')).toBe('none');
    expect(level('bí danh của anh ấy')).toBe('none');
    expect(level('bị bán sang Trung Quốc')).toBe('high');
    expect(level('cừu em')).toBe('none');
    expect(level('cứu em')).toBe('emergency');
  });

  it('blocks known collisions with notFollowedBy', () => {
    expect(level('mẹ đánh thức em')).toBe('none');
    expect(level('bi danh cua anh ay la gi')).toBe('none');
    expect(level('help me find a shelter')).toBe('none');
  });

  it('drops negated matches, but never lowers self-harm or emergency below high', () => {
    expect(level('tôi không bị đánh')).toBe('none');
    expect(level('I was not beaten')).toBe('none');
    expect(level('không, em bị nhốt thật')).toBe('high'); // the negation is another clause
    expect(level('em không muốn chết')).toBe('high');
  });

  it('keeps "không" that is part of the risk ("không cho về", "không muốn sống")', () => {
    expect(level('công ty không cho về')).toBe('high');
    expect(level('không muốn sống nữa')).toBe('high');
  });

  it('lowers hypothetical or educational talk one level, never below elevated', () => {
    expect(level('nếu bị giữ hộ chiếu thì làm gì')).toBe('elevated');
    expect(level('bài thuyết trình về dấu hiệu mua bán người')).toBe('elevated');
    expect(level('tôi bị đe dọa giết nếu bỏ trốn')).toBe('high'); // "nếu" after the threat is part of it
  });

  it('lowers a past emergency to high', () => {
    expect(level('hồi trước em bị bắt cóc')).toBe('high');
  });

  it('marks third-party reports and keeps their level', () => {
    const a = d.assess('em tôi bị nhốt');
    expect(a.level).toBe('high');
    expect(a.thirdParty).toBe(true);
    expect(d.assess('my sister was sold').thirdParty).toBe(true);
    expect(d.assess('my sister bị bán sang Trung Quốc').thirdParty).toBe(true); // mixed languages
    expect(d.assess('tôi bị bán sang Trung Quốc').thirdParty).toBeUndefined();
  });

  it('combines: confinement + foreign place → high; confinement + violence → emergency; high + urgent → emergency', () => {
    expect(level('họ giữ hộ chiếu của em')).toBe('elevated');
    expect(level('họ giữ hộ chiếu của em ở Campuchia')).toBe('high');
    expect(level('bị nhốt và bị đánh')).toBe('emergency');
    expect(level('em bị nhốt ngay bây giờ')).toBe('emergency');
  });

  it('raises any risk signal from a child to high', () => {
    expect(level('rủ gặp mặt')).toBe('elevated');
    expect(level('em 14 tuổi, có người rủ gặp mặt')).toBe('high');
    expect(d.assess('em 14 tuổi, có người rủ gặp mặt').categories).toContain('child_at_risk');
  });

  it('reports matches as spans of the text, never the text itself', () => {
    const text = 'Anh ơi, em bị NHỐT ở đây';
    const [match] = d.assess(text).matches;
    expect(text.slice(match!.start, match!.end)).toBe('bị NHỐT');
    expect(JSON.stringify(d.assess(text))).not.toContain('NHỐT');
  });
});
