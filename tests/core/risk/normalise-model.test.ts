/**
 * Normalisation (diacritics, spacing tricks, repeated letters, leetspeak, teen-speak), the model's
 * features and its level (it can only raise the rules' level, calmed contexts cap it), and how the
 * combined detector reports where a level came from.
 */
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../../core/risk/assess.js';
import { combineDetectors, MODEL_CATEGORY } from '../../../core/risk/detector.js';
import { compileLexicon, lexiconSchema } from '../../../core/risk/lexicon.js';
import { forEachFeature, MIN_FEATURES, scaleFor, SIGNAL_VALUE, sparseFeatures, STEP, WINDOW, windows } from '../../../core/risk/model/features.js';
import { calmedBySignals, createModel, defaultModel, encodeWeights, MODEL_FORMAT, modelFileSchema, readModelFile, type ModelFile, type RiskModel } from '../../../core/risk/model/model.js';
import { compileTeen, foldWord, hasAccents, matchTokens, normaliseText, phraseWords, rawTokens, repair, squeezeRepeats } from '../../../core/risk/normalise.js';

const norms = (text: string) => rawTokens(text).map((t) => t.norm);

describe('tokens', () => {
  it('every clause break starts a clause, only sentence ends start a sentence, and repeated breaks count once', () => {
    for (const ch of ['.', ',', ';', ':', '!', '?', '\n', '(', ')']) {
      expect(rawTokens(`ab${ch}cd`).map((t) => t.clause), JSON.stringify(ch)).toEqual([0, 1]);
    }
    for (const ch of ['.', ';', '!', '?', '\n']) expect(rawTokens(`ab${ch}cd`).map((t) => t.sentence), JSON.stringify(ch)).toEqual([0, 1]);
    for (const ch of [',', ':', '(', ')']) expect(rawTokens(`ab${ch}cd`).map((t) => t.sentence), JSON.stringify(ch)).toEqual([0, 0]);
    expect(rawTokens('ab,,, cd!!! ef').map((t) => [t.clause, t.sentence])).toEqual([
      [0, 0],
      [1, 0],
      [2, 1],
    ]);
    expect(rawTokens('... ab').map((t) => [t.clause, t.sentence])).toEqual([[0, 0]]);
    expect(rawTokens('ab - cd').map((t) => t.clause)).toEqual([0, 0]);
  });

  it('keeps @ and $ inside words (leetspeak), drops other symbols', () => {
    expect(norms('h@ck $ave #tag ~x~')).toEqual(['h@ck', '$ave', 'tag', 'x']);
    expect(norms('@')).toEqual(['@']);
  });

  it('joins an apostrophe only between letters; dotted, dashed, starred or underscored single letters', () => {
    expect(norms("can't dogs' x")).toEqual(['cant', 'dogs', 'x']);
    expect(norms('can’t')).toEqual(['cant']);
    expect(norms('h-e-l-p c*u*u t_o_i')).toEqual(['help', 'cuu', 'toi']);
    expect(norms('well-known co-op')).toEqual(['well', 'known', 'co', 'op']);
    expect(norms('a.b')).toEqual(['ab']);
    expect(rawTokens('a.b').map((t) => t.clause)).toEqual([0]);
    expect(norms('ab.c')).toEqual(['ab', 'c']);
    expect(norms('a.bc')).toEqual(['a', 'bc']);
    expect(norms('1.5')).toEqual(['1', '5']);
  });

  it('keeps the typed form in lower case, and the accented form (repeats squeezed) only when accents were typed', () => {
    const [a, b] = rawTokens('BÁNNN Nhot');
    expect(a).toMatchObject({ norm: 'bannn', typed: 'bánnn', accented: 'bán', start: 0, end: 5 });
    expect(b).toMatchObject({ norm: 'nhot', typed: 'nhot', start: 6, end: 10 });
    expect(b!.accented).toBeUndefined();
    expect(rawTokens('c.ứ.u')[0]).toMatchObject({ norm: 'cuu', typed: 'cứu', start: 0, end: 5 });
  });

  it('spans stay right when lower-casing changes the length (İ)', () => {
    const text = 'İstanbul, em bị nhốt';
    const tokens = rawTokens(text);
    expect(tokens.map((t) => text.slice(t.start, t.end))).toEqual(['İstanbul', 'em', 'bị', 'nhốt']);
    expect(tokens[3]).toMatchObject({ norm: 'nhot', typed: 'nhốt' });
    expect(tokens[0]!.norm).toBe('istanbul');
  });

  it('four or more single letters in a clause are one spelled-out word; three, digits or a clause break are not', () => {
    expect(rawTokens('c u u t o i')[0]).toMatchObject({ norm: 'cuutoi', typed: 'cuutoi', start: 0, end: 11, clause: 0, sentence: 0 });
    expect(norms('x c u u t')).toEqual(['xcuut']);
    expect(norms('c u u')).toEqual(['c', 'u', 'u']);
    expect(norms('h e l p me')).toEqual(['help', 'me']);
    expect(norms('1 2 3 4')).toEqual(['1', '2', '3', '4']);
    expect(norms('c u, u t o')).toEqual(['c', 'u', 'u', 't', 'o']);
    expect(norms('em ok, c u u t o i')).toEqual(['em', 'ok', 'cuutoi']);
    expect(rawTokens('em, c u u t')[1]).toMatchObject({ clause: 1 });
  });

  it('squeezeRepeats, foldWord, hasAccents', () => {
    expect(squeezeRepeats('cứuuu')).toBe('cứu');
    expect(squeezeRepeats('aabba')).toBe('aba');
    expect(squeezeRepeats('')).toBe('');
    expect(foldWord('ĐẠI Học')).toBe('dai hoc');
    expect(foldWord("it's")).toBe('its');
    expect(hasAccents('bán')).toBe(true);
    expect(hasAccents('ban')).toBe(false);
    expect(hasAccents('Ban')).toBe(false);
    expect(hasAccents('đi')).toBe(true);
  });
});

describe('repair toward known words', () => {
  const vocabulary = new Set(['see', 'help', 'sos', 'cuu', 'toi', 'ai']);
  it('keeps known words, squeezes runs to two then to one, and undoes leetspeak', () => {
    expect(repair('see', vocabulary)).toBe('see');
    expect(repair('seeeeee', vocabulary)).toBe('see');
    expect(repair('hhhelllp', vocabulary)).toBe('help');
    expect(repair('cuuu', vocabulary)).toBe('cuu');
    expect(repair('h3lp', vocabulary)).toBe('help');
    expect(repair('s0s', vocabulary)).toBe('sos');
    expect(repair('$o$', vocabulary)).toBe('sos');
    expect(repair('h3llllp', vocabulary)).toBe('help');
    expect(repair('4i', vocabulary)).toBe('ai');
  });

  it('leaves unknown words as typed but for runs of three or more, and never reads plain numbers as letters', () => {
    expect(repair('zzzzz', vocabulary)).toBe('zz');
    expect(repair('hello', vocabulary)).toBe('hello');
    expect(repair('5050', vocabulary)).toBe('5050');
    expect(repair('h3ll0', vocabulary)).toBe('h3ll0');
    expect(repair('h3ll0', vocabulary)).toBe('h3ll0'); // cached, same answer
    expect(repair('seeeeee', new Set(['se']))).toBe('se');
  });

  it('matchTokens repairs, then expands teen-speak and marks the words it made', () => {
    const teen = new Map([['ko', ['khong']], ['dc', ['duoc', 'roi']]]);
    const tokens = matchTokens(rawTokens('ko dc cuuu'), new Set(['cuu', 'ko', 'dc']), teen);
    expect(tokens.map((t) => [t.norm, !!t.expanded, t.start])).toEqual([
      ['khong', true, 0],
      ['duoc', true, 3],
      ['roi', true, 3],
      ['cuu', false, 6],
    ]);
  });

  it('phraseWords expands teen-speak the same way and keeps the "*" gap', () => {
    const teen = new Map([['e', ['em']]]);
    expect(phraseWords('E  bị * nhốt', teen)).toEqual([
      { norm: 'em', typed: 'em' },
      { norm: 'bi', typed: 'bị' },
      { norm: '*', typed: '*' },
      { norm: 'nhot', typed: 'nhốt' },
    ]);
  });

  it('compileTeen: the first table wins a key, identity and empty entries are dropped, every word is vocabulary', () => {
    const { teen, vocabulary: v } = compileTeen([{ Ko: 'không', same: 'same', empty: ' ' }, { ko: 'no', pls: 'please help' }]);
    expect([...teen]).toEqual([
      ['ko', ['khong']],
      ['pls', ['please', 'help']],
    ]);
    expect([...v].sort()).toEqual(['help', 'khong', 'ko', 'please', 'pls']);
  });

  it('normaliseText: folded, repaired, expanded, single spaces, no punctuation', () => {
    expect(normaliseText('  E   ko đc VỀ!!! ')).toBe('em khong duoc ve');
    expect(normaliseText('cuuuuu toiiii')).toBe('cuu toi');
    expect(normaliseText('')).toBe('');
    expect(normaliseText('?!')).toBe('');
  });
});

describe('model features', () => {
  it('counts character n-grams of 2 to 5, word unigrams and bigrams', () => {
    const seen: number[] = [];
    // " ab ": n-grams " a", " ab", " ab ", "ab", "ab ", "b " (6) + the word "ab" (1).
    expect(forEachFeature('ab', 0xffff, (b) => seen.push(b))).toBe(7);
    expect(seen).toHaveLength(7);
    // " a b ": 4 + 3 + 2 + 1 n-grams, two words and one bigram.
    expect(forEachFeature('a b', 0xffff, () => {})).toBe(13);
    expect(forEachFeature('abcdefgh', 0xffff, () => {})).toBe(4 * 6 + 3 + 2 + 1 + 1); // " abcdefgh ": at most 4 n-grams from each start
    const buckets: number[] = [];
    forEachFeature('a b', 7, (b) => buckets.push(b));
    expect(buckets.every((b) => b >= 0 && b <= 7)).toBe(true);
    expect(new Set(buckets).size).toBeGreaterThan(3);
  });

  it('the same text gives the same buckets; the order of words matters through bigrams', () => {
    const of = (t: string) => {
      const out: number[] = [];
      forEachFeature(t, 0xfffff, (b) => out.push(b));
      return out;
    };
    expect(of('em bi nhot')).toEqual(of('em bi nhot'));
    expect(of('em bi nhot').sort()).not.toEqual(of('nhot bi em').sort());
  });

  it('scales by 1/sqrt(max(N, MIN_FEATURES)), zero for nothing', () => {
    expect(scaleFor(0)).toBe(0);
    expect(scaleFor(1)).toBeCloseTo(1 / Math.sqrt(MIN_FEATURES), 12);
    expect(scaleFor(MIN_FEATURES * 4)).toBeCloseTo(1 / Math.sqrt(MIN_FEATURES * 4), 12);
  });

  it('sparse features: sorted buckets, counts scaled, each signal adds SIGNAL_VALUE', () => {
    const plain = sparseFeatures('ab', 0xffff);
    expect([...plain.index]).toEqual([...plain.index].sort((a, b) => a - b));
    expect(plain.value.every((v) => Math.abs(v - scaleFor(7) * Math.round(v / scaleFor(7))) < 1e-6)).toBe(true);
    const withSignal = sparseFeatures('ab', 0xffff, ['c:now']);
    const added = [...withSignal.index].filter((i) => ![...plain.index].includes(i));
    expect(added).toHaveLength(1);
    expect(withSignal.value[[...withSignal.index].indexOf(added[0]!)]).toBeCloseTo(SIGNAL_VALUE, 6);
  });

  it('windows: a short text whole; a long one in overlapping slices cut at spaces that cover it all', () => {
    expect(windows('ngắn thôi')).toEqual(['ngắn thôi']);
    const exact = 'a'.repeat(WINDOW);
    expect(windows(exact)).toEqual([exact]);
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const parts = windows(words);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(WINDOW);
      expect(p.startsWith(' ') || p.endsWith(' ')).toBe(false);
      expect(words.includes(p)).toBe(true);
    }
    expect(parts[0]!.startsWith('w0 ')).toBe(true);
    expect(parts.at(-1)!.endsWith('w399')).toBe(true);
    // Consecutive windows overlap (a sentence on the border is whole in one of them).
    expect(words.indexOf(parts[1]!)).toBeLessThan(words.indexOf(parts[0]!) + parts[0]!.length);
    expect(words.indexOf(parts[1]!)).toBeGreaterThanOrEqual(STEP - 10);
    // One long word: cut where it must be.
    const blob = 'x'.repeat(WINDOW + 50);
    expect(windows(blob).join('').length).toBeGreaterThanOrEqual(WINDOW);
  });
});

describe('the model', () => {
  const buckets = 8;
  const head = (bias: number) => ({ bias, ...encodeWeights(new Float32Array(buckets)) });
  const modelFile = (bias: { elevated: number; high: number; emergency: number }): ModelFile =>
    modelFileSchema.parse({
      format: MODEL_FORMAT,
      buckets,
      heads: { elevated: head(bias.elevated), high: head(bias.high), emergency: head(bias.emergency) },
      thresholds: { elevated: 0.5, high: 0.5, emergency: 0.5 },
      signalValue: SIGNAL_VALUE,
      minFeatures: MIN_FEATURES,
      training: { messages: 1, files: [], digest: 'x', lexicon: 'y' },
    });

  it('weights are quantised to int16 with one scale per head and read back', () => {
    const w = new Float32Array([0.5, -1, 0.25, 0, 0, 0, 0, 1]);
    const encoded = encodeWeights(w);
    expect(encoded.scale).toBeCloseTo(1 / 32767, 12);
    const bytes = Buffer.from(encoded.weights, 'base64');
    const q = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    expect(Array.from(q.slice(0, 3))).toEqual([Math.round(0.5 * 32767), -32767, Math.round(0.25 * 32767)]);
    expect(encodeWeights(new Float32Array(4)).scale).toBe(1);
    // A model with weight w on every bucket of the elevated head scores sigmoid(bias + w·Σfeatures).
    const all = encodeWeights(new Float32Array(buckets).fill(2));
    const m = createModel({ ...modelFile({ elevated: 0, high: -20, emergency: -20 }), heads: { ...modelFile({ elevated: 0, high: -20, emergency: -20 }).heads, elevated: { bias: -3, ...all } } });
    const s = m.scoresNormalised('ab', []);
    expect(s.elevated).toBeCloseTo(1 / (1 + Math.exp(-(-3 + 2 * 7 * scaleFor(7)))), 3);
    const withSignal = m.scoresNormalised('ab', ['c:now']);
    expect(withSignal.elevated).toBeCloseTo(1 / (1 + Math.exp(-(-3 + 2 * 7 * scaleFor(7) + 2 * SIGNAL_VALUE))), 3);
  });

  it('refuses a model file whose weights do not fit its buckets, or whose buckets are not a power of two', () => {
    const f = modelFile({ elevated: 0, high: 0, emergency: 0 });
    expect(() => createModel({ ...f, heads: { ...f.heads, high: { ...f.heads.high, weights: Buffer.alloc(6).toString('base64') } } })).toThrow(/RISK_MODEL_INVALID: expected 8 weights/);
    expect(() => modelFileSchema.parse({ ...f, buckets: 12 })).toThrow(/power of two/);
    expect(() => modelFileSchema.parse({ ...f, format: 'other/1' })).toThrow();
  });

  it('levels: emergency needs both the emergency and the high head; each head alone gives its level', () => {
    const m = createModel(modelFile({ elevated: 0, high: 0, emergency: 0 }));
    expect(m.thresholds).toEqual({ elevated: 0.5, high: 0.5, emergency: 0.5 });
    expect(m.level({ elevated: 0.9, high: 0.9, emergency: 0.9 })).toBe('emergency');
    expect(m.level({ elevated: 0.9, high: 0.5, emergency: 0.5 })).toBe('emergency');
    expect(m.level({ elevated: 0.9, high: 0.4, emergency: 0.9 })).toBe('elevated');
    expect(m.level({ elevated: 0.9, high: 0.9, emergency: 0.4 })).toBe('high');
    expect(m.level({ elevated: 0.5, high: 0.1, emergency: 0.1 })).toBe('elevated');
    expect(m.level({ elevated: 0.49, high: 0.1, emergency: 0.1 })).toBe('none');
    // Calmed: at most elevated.
    expect(m.level({ elevated: 0.9, high: 0.9, emergency: 0.9 }, ['c:joke'])).toBe('elevated');
    expect(m.level({ elevated: 0.9, high: 0.9, emergency: 0.9 }, ['c:now'])).toBe('emergency');
  });

  it('scores: zero for no text, otherwise the bias through the sigmoid (all weights zero), the same from raw text', () => {
    const m = createModel(modelFile({ elevated: 2, high: 0, emergency: -2 }));
    expect(m.scoresNormalised('', ['c:now'])).toEqual({ elevated: 0, high: 0, emergency: 0 });
    const s = m.scoresNormalised('em bi nhot', []);
    expect(s.elevated).toBeCloseTo(1 / (1 + Math.exp(-2)), 4);
    expect(s.high).toBeCloseTo(0.5, 4);
    expect(s.emergency).toBeCloseTo(1 / (1 + Math.exp(2)), 4);
    expect(m.scores('Em BỊ nhốt', [])).toEqual(s);
  });

  it('calmedBySignals: joke, resolved, denied, topic without a person; never with self-harm', () => {
    expect(calmedBySignals([])).toBe(false);
    for (const s of ['c:joke', 'c:resolved', 'c:denied']) expect(calmedBySignals([s]), s).toBe(true);
    expect(calmedBySignals(['c:topic'])).toBe(true);
    expect(calmedBySignals(['c:topic', 'c:anyPerson'])).toBe(false);
    expect(calmedBySignals(['c:anyPerson'])).toBe(false);
    expect(calmedBySignals(['c:joke', 'vi:f:self_harm.want_die:high'])).toBe(false);
    expect(calmedBySignals(['c:joke', 'vi:f:confinement.locked:none'])).toBe(true);
  });

  it('the committed model file is valid and loaded once', () => {
    const f = readModelFile();
    expect(f.format).toBe(MODEL_FORMAT);
    expect(defaultModel()).toBe(defaultModel());
    expect(defaultModel()!.thresholds).toEqual(f.thresholds);
  });
});

describe('combined detector: where the level came from', () => {
  const rules = createDetector([
    compileLexicon(
      'xx',
      lexiconSchema.parse({
        classes: { lock: ['locked'] },
        families: [{ id: 'confinement.locked', category: 'confinement', level: 'high', patterns: ['{lock}'], raise: { now: 'emergency' } }],
        exceptions: [],
        modifiers: { negation: [], denial: [], person: [], thirdParty: [], topic: [], topicWeak: [], trivial: [], resolved: [], hypothetical: [], question: [], past: [], foreign: [], now: ['now'], force: [], minor: ['child'], age: [], joke: [] },
        teen: {},
      }),
    ),
  ]);
  const fixed = (level: 'none' | 'elevated' | 'high' | 'emergency', scores = { elevated: 0.12345, high: 0.5, emergency: 0.0004 }): RiskModel & { seen: string[][] } => {
    const seen: string[][] = [];
    return {
      seen,
      thresholds: { elevated: 0.5, high: 0.5, emergency: 0.5 },
      scores: () => scores,
      scoresNormalised: (normalised, signals) => (seen.push([normalised, ...signals]), scores),
      level: () => level,
    };
  };

  it('without a model the rules are the detector', () => {
    expect(combineDetectors(rules, null)).toBe(rules);
  });

  it('the same level: both; the rules higher: rules; nothing: no source; scores rounded to three decimals', () => {
    const both = combineDetectors(rules, fixed('high')).assess('locked');
    expect(both).toEqual({
      level: 'high',
      categories: ['confinement'],
      matches: [expect.objectContaining({ id: 'xx.confinement.locked' })],
      source: 'both',
      rulesLevel: 'high',
      modelScores: { elevated: 0.123, high: 0.5, emergency: 0 },
    });
    const rulesWin = combineDetectors(rules, fixed('elevated')).assess('locked now');
    expect(rulesWin).toMatchObject({ level: 'emergency', source: 'rules', rulesLevel: 'emergency', categories: ['confinement'] });
    const quiet = combineDetectors(rules, fixed('none')).assess('hello');
    expect(quiet).toEqual({ level: 'none', categories: [], matches: [], rulesLevel: 'none', modelScores: { elevated: 0.123, high: 0.5, emergency: 0 } });
  });

  it('the model raises: its level, source model, the rules\' categories plus "model" sorted', () => {
    const raised = combineDetectors(rules, fixed('emergency')).assess('child locked');
    expect(raised).toMatchObject({ level: 'emergency', source: 'model', rulesLevel: 'high', categories: ['child_at_risk', 'confinement', MODEL_CATEGORY] });
    const alone = combineDetectors(rules, fixed('elevated')).assess('hello');
    expect(alone).toMatchObject({ level: 'elevated', source: 'model', rulesLevel: 'none', categories: [MODEL_CATEGORY], matches: [] });
  });

  it('the model reads the normalised text and the rules\' signals; no text is not scored', () => {
    const model = fixed('none');
    const combined = combineDetectors(rules, model);
    combined.assess('LOCKED Now');
    expect(model.seen).toEqual([['locked now', 'c:now', 'xx:f:confinement.locked:emergency', 'xx:k:@now', 'xx:k:lock']]);
    expect(combined.assess('')).toEqual({ level: 'none', categories: [], matches: [] });
    expect(model.seen).toHaveLength(1);
  });
});
