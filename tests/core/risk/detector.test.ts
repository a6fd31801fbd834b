/** Normalisation and each behaviour of the rules and the combined detector, one behaviour per test. */
import { describe, expect, it } from 'vitest';
import { rulesDetector } from '../../../core/risk/assess.js';
import { combineDetectors, MODEL_CATEGORY } from '../../../core/risk/detector.js';
import { defaultDetector } from '../../../core/risk/index.js';
import { loadLexicon } from '../../../core/risk/lexicon.js';
import { calmedBySignals, defaultModel, type RiskModel } from '../../../core/risk/model/model.js';
import { foldWord, normaliseText, rawTokens, repair } from '../../../core/risk/normalise.js';

const d = rulesDetector();
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

  it('numbers clauses and sentences separately', () => {
    const tokens = rawTokens('em ổn, cảm ơn. Tạm biệt');
    expect(tokens.map((t) => [t.clause, t.sentence])).toEqual([
      [0, 0],
      [0, 0],
      [1, 0],
      [1, 0],
      [2, 1],
      [2, 1],
    ]);
  });

  it('repairs repeated letters and leetspeak toward known words only', () => {
    const vi = loadLexicon('vi');
    const en = loadLexicon('en');
    expect(repair('cuuuuu', vi.vocabulary)).toBe('cuu');
    expect(repair('toiiii', vi.vocabulary)).toBe('toi');
    expect(repair('h3lp', en.vocabulary)).toBe('help');
    expect(repair('2k10', vi.vocabulary)).toBe('2k10');
  });

  it('normaliseText gives the folded, teen-speak-expanded text (the one API other modules use)', () => {
    expect(normaliseText('E ko đc VỀ!!!')).toBe('em khong duoc ve');
    expect(normaliseText('Cty giữ HC r')).toBe('cong ty giu ho chieu roi');
    expect(normaliseText('')).toBe('');
    expect(foldWord('Đường')).toBe('duong');
  });

  it('expands teen-speak (ko, dc, e, bj...) before matching', () => {
    expect(level('e ko dc ve')).toBe('high');
    expect(level('e bj danh')).toBe('high');
    expect(level('mun chet')).toBe('emergency');
  });
});

describe('rules', () => {
  it('a word typed with accents must have the phrase accents: "bạn" is not "bán", "bí danh" is not "bị đánh"', () => {
    expect(level('bạn ơi')).toBe('none');
    expect(level('bị bạn lừa mất tiền')).toBe('none');
    expect(level('bí danh của anh ấy')).toBe('none');
    expect(level('bị bán sang Trung Quốc')).toBe('high');
    expect(level('nhà em nuôi cừu')).toBe('none');
    expect(level('cứu em')).toBe('emergency');
    expect(level('họ cấm em về')).toBe('high');
    expect(level('em ở Cam về rồi')).toBe('none');
  });

  it('blocks known collisions with exceptions (đánh răng, đánh thức, bắt đầu, kẹt xe)', () => {
    expect(level('mẹ đánh thức em')).toBe('none');
    expect(level('em đánh răng rồi')).toBe('none');
    expect(level('bắt đầu làm bài')).toBe('none');
    expect(level('help me find a shelter')).toBe('none');
  });

  it('drops negated matches, but a negated wish to die still reaches a counsellor (high)', () => {
    expect(level('tôi không bị đánh')).toBe('none');
    expect(level('I was not beaten')).toBe('none');
    expect(level('không, em bị nhốt thật')).toBe('emergency'); // the negation is another clause
    expect(level('em không muốn chết')).toBe('high');
    expect(level("I don't want to die or anything, just stressed")).toBe('none'); // a clear denial
  });

  it('keeps "không" that is part of the risk ("không cho về", "không muốn sống")', () => {
    expect(level('công ty không cho về')).toBe('high');
    expect(level('không muốn sống nữa')).toBe('emergency');
  });

  it('a negation inside a condition does not cancel what follows "thì"', () => {
    expect(level('không nộp tiền thì không trả hộ chiếu')).toBe('high');
  });

  it('topic talk without a present situation lowers to none, never self-harm below high', () => {
    expect(level('bài thuyết trình về người bị nhốt trong khu lừa đảo')).toBe('none');
    expect(level('nếu bị giữ hộ chiếu thì làm gì')).toBe('none');
    expect(level('bài tập về tự tử ở tuổi teen')).toBe('high');
    expect(level('em xem phim xong, giờ em bị nhốt thật')).toBe('emergency'); // a person in the sentence
  });

  it('a joke lowers to none', () => {
    expect(level('sếp dọa bán em qua Campuchia nếu còn đi trễ =))')).toBe('none');
  });

  it('the past lowers emergency to high for a person, and to none for a story about nobody named', () => {
    expect(level('hồi trước em từng bị nhốt')).toBe('high');
    expect(level('hồi xưa có người bị bán sang Tàu, giờ còn không')).toBe('none');
  });

  it('raises with context: now, a minor, force, another family', () => {
    expect(level('em bị đưa qua biên giới')).toBe('high');
    expect(level('tối nay em bị đưa qua biên giới')).toBe('emergency');
    expect(level('em 14 tuổi bị đưa qua biên giới')).toBe('emergency');
    expect(level('họ giữ hộ chiếu và đánh em')).toBe('high');
    expect(level('giúp em với')).toBe('elevated');
    expect(level('giúp em với, họ nhốt em')).toBe('emergency');
  });

  it('marks third-party reports and children', () => {
    expect(d.assess('em tôi bị nhốt').thirdParty).toBe(true);
    expect(d.assess('my sister was sold').thirdParty).toBe(true);
    expect(d.assess('my sister bị bán sang Trung Quốc').thirdParty).toBe(true); // mixed languages
    expect(d.assess('tôi bị bán sang Trung Quốc').thirdParty).toBeUndefined();
    expect(d.assess('em 14 tuổi bị ép tiếp khách').categories).toContain('child_at_risk');
  });

  it('reports matches as spans of the text, never the text itself', () => {
    const text = 'Anh ơi, em bị NHỐT ở đây';
    const [match] = d.assess(text).matches;
    expect(text.slice(match!.start, match!.end)).toBe('bị NHỐT');
    expect(JSON.stringify(d.assess(text))).not.toContain('NHỐT');
  });

  it('reads a long message in bounded windows and still finds a danger at its end', () => {
    const filler = 'hôm nay trời đẹp, em đi học rồi về nhà ăn cơm với cả nhà. '.repeat(120);
    expect(filler.length).toBeGreaterThan(5000);
    expect(level(filler)).toBe('none');
    const a = d.assess(`${filler}em bị nhốt`);
    expect(a.level).toBe('emergency');
    expect(a.matches.at(-1)!.start).toBeGreaterThan(5000);
  });

  it('gives the model its signals: classes, family matches with their levels, context', () => {
    const { signals } = d.analyse('tôi không bị nhốt');
    expect(signals).toContain('vi:f:confinement.locked:none');
    expect(signals).toContain('c:denied');
    expect(calmedBySignals(signals)).toBe(true);
    expect(calmedBySignals(d.analyse('em muốn chết, haha').signals)).toBe(false); // self-harm is never calmed
  });
});

describe('combined detector', () => {
  const scores = { elevated: 0.99, high: 0.99, emergency: 0.01 };
  const alwaysHigh: RiskModel = {
    thresholds: { elevated: 0.5, high: 0.5, emergency: 0.5 },
    scores: () => scores,
    scoresNormalised: () => scores,
    level: (s, signals) => (signals && calmedBySignals(signals) ? 'elevated' : s.high >= 0.5 ? 'high' : 'none'),
  };
  const combined = combineDetectors(d, alwaysHigh);

  it('the model can only raise the level, and says so when it alone did', () => {
    const raised = combined.assess('xin chào');
    expect(raised.level).toBe('high');
    expect(raised.source).toBe('model');
    expect(raised.rulesLevel).toBe('none');
    expect(raised.categories).toEqual([MODEL_CATEGORY]);
    expect(raised.modelScores).toEqual(scores);
    const kept = combined.assess('em bị nhốt');
    expect(kept.level).toBe('emergency');
    expect(kept.source).toBe('rules');
    expect(kept.categories).toEqual(['confinement']);
  });

  it('a calming context bounds the model (joke, denial, topic without a person)', () => {
    expect(combined.assess('tôi không bị nhốt').level).toBe('elevated');
  });

  it('the default detector loads the committed model and combines it with the rules', () => {
    expect(defaultModel()).not.toBeNull();
    const a = defaultDetector.assess('cứu em với, em bị nhốt ở Campuchia');
    expect(a.level).toBe('emergency');
    expect(a.modelScores!.emergency).toBeGreaterThan(0.5);
    expect(defaultDetector.assess('xin chào').level).toBe('none');
  });
});
