/**
 * The rules engine (assess.ts) and the lexicon compiler (lexicon.ts), one behaviour per test, on a
 * small lexicon written here (so each rule is seen alone, whatever the shipped lexicons say), then on
 * the shipped lexicons for what people actually type.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createDetector, rulesDetector, TOKEN_WINDOW, type RulesDetector } from '../../../core/risk/assess.js';
import { compileLexicon, LexiconError, lexiconSchema, loadLexicon, type LexiconFile } from '../../../core/risk/lexicon.js';

const modifiers = (over: Partial<LexiconFile['modifiers']> = {}): LexiconFile['modifiers'] => ({
  negation: ['not', 'never'],
  denial: ['or anything'],
  person: ['me', 'i', 'my sister'],
  thirdParty: ['my sister'],
  topic: ['homework', 'film'],
  topicWeak: ['law'],
  trivial: ['laptop'],
  resolved: ['long ago'],
  hypothetical: ['if'],
  question: ['how'],
  past: ['last year'],
  foreign: ['abroad'],
  now: ['now'],
  force: ['forced'],
  minor: ['child'],
  age: ['\\b1[0-5] years\\b'],
  joke: ['haha'],
  ...over,
});

const file = (over: Partial<LexiconFile> = {}): LexiconFile => ({
  classes: { lock: ['locked', 'shut in'], beat: ['beaten', 'hit'], die: ['die'], help: ['help'], sell: ['sold'], owe: ['owe'] },
  families: [
    { id: 'confinement.locked', category: 'confinement', level: 'high', patterns: ['{lock}'], raise: { now: 'emergency' } },
    { id: 'violence.beaten', category: 'violence', level: 'elevated', patterns: ['was {beat}'], raise: { confinement: 'high' } },
    { id: 'self_harm.die', category: 'self_harm', level: 'emergency', patterns: ['want to {die}'] },
    { id: 'sale.sold', category: 'sale', level: 'elevated', patterns: ['{sell} ... border'], raise: { 'minor+foreign': 'emergency', '{owe}': 'high' } },
    { id: 'immediate_danger.help', category: 'immediate_danger', level: 'elevated', patterns: ['{help} me $'], figurative: true },
    { id: 'debt_bondage.owe', category: 'debt_bondage', level: 'elevated', patterns: ['{owe} money'], negatable: false },
    { id: 'documents.passport', category: 'documents', level: 'high', patterns: ['took passport'], protect: true },
    { id: 'threat.kill', category: 'threat', level: 'high', patterns: ['kill you'], conditional: true, notPrecededBy: ['game'] },
    { id: 'movement.moved', category: 'movement', level: 'elevated', patterns: ['moved * camp'], unless: ['help'], notFollowedBy: ['site'] },
    { id: 'sale.bride', category: 'sale', level: 'high', patterns: ['bán! vợ'] },
  ],
  exceptions: [{ phrase: 'hit', notFollowedBy: ['ball'], notPrecededBy: ['big'] }],
  modifiers: modifiers(),
  teen: { lockd: 'locked', u: 'you', ko: 'not', same: 'same' },
  ...over,
});

const detector = (f = file()) => createDetector([compileLexicon('xx', lexiconSchema.parse(f))]);
// Compiled before each test, not once at import: the compiler then runs inside every test, so a
// broken compiler is caught by the behaviour tests below (and mutation testing's per-test coverage
// sees them use it; code run only while a file loads is not run against the tests).
let d: RulesDetector;
beforeEach(() => {
  d = detector();
});
const level = (text: string) => d.assess(text).level;

describe('rules on a small lexicon', () => {
  it('a family matches at its level, with its category and the span as typed', () => {
    const a = d.assess('they LOCKED me');
    expect(a).toEqual({ level: 'high', categories: ['confinement'], matches: [{ id: 'xx.confinement.locked', category: 'confinement', level: 'high', start: 5, end: 11 }] });
    expect(level('nothing here')).toBe('none');
    expect(d.assess('')).toEqual({ level: 'none', categories: [], matches: [] });
    expect(d.assess(' ,.! ')).toEqual({ level: 'none', categories: [], matches: [] });
  });

  it('teen-speak and multi-word class phrases match', () => {
    expect(level('they lockd me')).toBe('high');
    expect(level('i am shut in')).toBe('high');
    expect(level('i am shut')).toBe('none');
  });

  it('negation within three words before, in the clause, cancels; further away or in another clause it does not', () => {
    expect(level('i was not locked')).toBe('none');
    expect(level('never been really locked')).toBe('none');
    expect(level('not one two three locked')).toBe('high');
    expect(level('not that, locked')).toBe('high');
    expect(level('locked not')).toBe('high');
    expect(level('ko locked')).toBe('none');
  });

  it('a negation inside a condition does not reach past "thì"', () => {
    expect(level('not pay thi locked')).toBe('high');
  });

  it('self-harm negated still reaches high, unless the person clearly denies it', () => {
    expect(level('i want to die')).toBe('emergency');
    expect(level('i do not want to die')).toBe('high');
    expect(level('i do not want to die or anything')).toBe('none');
  });

  it('a family that is not negatable ignores the negation', () => {
    expect(level('not owe money')).toBe('elevated');
  });

  it('raises: by a context, by another family that holds, by a class anywhere, and only when every condition holds', () => {
    expect(level('locked now')).toBe('emergency');
    expect(level('i was beaten')).toBe('elevated');
    expect(level('i was beaten and locked')).toBe('high');
    // The other family is negated: it does not raise.
    expect(level('i was beaten, not locked')).toBe('elevated');
    expect(level('sold over the border')).toBe('elevated');
    expect(level('child sold over the border')).toBe('elevated');
    expect(level('child sold over the border abroad')).toBe('emergency');
    expect(level('12 years old, sold over the border abroad')).toBe('emergency');
    expect(level('sold over the border, i owe')).toBe('high');
  });

  it('a gap "..." stays in the sentence and spans at most six words', () => {
    expect(level('sold one two three four five six border')).toBe('elevated');
    expect(level('sold one two three four five six seven border')).toBe('none');
    expect(level('sold. border')).toBe('none');
    expect(level('sold, then the border')).toBe('elevated');
  });

  it('a gap "*" stays in the clause and spans at most three words', () => {
    expect(level('moved to a camp')).toBe('elevated');
    expect(level('moved one two three camp')).toBe('elevated');
    expect(level('moved one two three four camp')).toBe('none');
    expect(level('moved, camp')).toBe('none');
  });

  it('"$" needs the end of the clause', () => {
    expect(level('help me')).toBe('elevated');
    expect(level('help me, please')).toBe('elevated');
    expect(level('help me with it')).toBe('none');
  });

  it('exceptions: a class phrase next to a listed word does not count', () => {
    expect(level('i was hit')).toBe('elevated');
    expect(level('i was hit ball')).toBe('none');
    expect(level('i was big hit')).toBe('none');
    expect(level('i was hit, ball')).toBe('elevated');
  });

  it('a family\'s notPrecededBy, notFollowedBy and unless cancel it', () => {
    expect(level('he said kill you')).toBe('high');
    expect(level('game kill you')).toBe('none');
    expect(level('game, kill you')).toBe('high');
    expect(level('moved to camp site')).toBe('none');
    expect(level('moved to camp, site')).toBe('elevated');
    expect(level('help, moved to camp')).toBe('none');
    expect(level('help. then. moved to camp')).toBe('elevated');
  });

  it('a word marked "!" must be typed with exactly its accents', () => {
    expect(level('bán vợ')).toBe('high');
    expect(level('ban vo')).toBe('none');
    expect(level('bạn vợ')).toBe('none');
  });

  it('calming: a joke or a resolved story lowers to none; self-harm stays at high', () => {
    expect(level('locked haha')).toBe('none');
    expect(level('locked long ago')).toBe('none');
    expect(level('want to die haha')).toBe('high');
  });

  it('topic talk lowers a match not next to a person; next to a person it stands', () => {
    expect(level('homework about being locked')).toBe('none');
    expect(level('homework, they locked me')).toBe('high');
    expect(level('homework, i locked')).toBe('high');
    expect(level('homework about want to die')).toBe('high');
  });

  it('weak topic talk lowers only when nobody is named, or in a question not about the person', () => {
    expect(level('law on being locked')).toBe('none');
    expect(level('law: they locked me')).toBe('high');
    expect(level('me and the law, how is locked')).toBe('none');
  });

  it('a figurative family is calmed by a trivial context even next to a person', () => {
    expect(level('laptop broke, help me')).toBe('none');
    expect(level('help me')).toBe('elevated');
  });

  it('"if" before a match about a person lowers it one level; about nobody it is a question', () => {
    expect(level('if locked now')).toBe('none');
    expect(level('if they locked me now')).toBe('high');
    expect(level('if they locked me')).toBe('elevated');
    expect(level('if they took passport from me')).toBe('high'); // protected
    expect(level('if not, kill you')).toBe('high'); // conditional: the "if" is part of the threat
    expect(level('locked me. if')).toBe('high'); // after, not before
  });

  it('the past lowers emergency to high for a person; about nobody it is a story; "now" undoes it', () => {
    expect(level('last year locked me now')).toBe('emergency');
    expect(level('last year they locked me, now')).toBe('emergency');
    expect(level('last year i want to die')).toBe('high');
    expect(level('last year someone was locked')).toBe('none');
    expect(level('last year they locked me')).toBe('high');
  });

  it('a child\'s age adds child_at_risk; writing about someone else sets thirdParty', () => {
    expect(d.assess('child locked').categories).toEqual(['child_at_risk', 'confinement']);
    expect(d.assess('13 years, locked').categories).toEqual(['child_at_risk', 'confinement']);
    expect(d.assess('my sister locked').thirdParty).toBe(true);
    expect(d.assess('locked').thirdParty).toBeUndefined();
    expect(d.assess('my sister is fine')).toEqual({ level: 'none', categories: [], matches: [] });
  });

  it('one match per family and overlapping span; categories sorted and unique', () => {
    const a = d.assess('i was beaten and locked and locked now');
    expect(a.categories).toEqual(['confinement', 'violence']);
    expect(a.matches.map((m) => m.id)).toEqual(['xx.violence.beaten', 'xx.confinement.locked', 'xx.confinement.locked']);
    expect(a.matches.map((m) => m.level)).toEqual(['high', 'emergency', 'emergency']);
  });

  it('signals: the classes seen, each family with the level it ended at, and the context', () => {
    const { signals, normalised, assessment } = d.analyse('i was NOT locked, ko');
    expect(assessment.level).toBe('none');
    expect(normalised).toBe('i was not locked khong'); // normaliseText uses the shipped teen-speak table
    expect(signals).toEqual(expect.arrayContaining(['xx:k:lock', 'xx:k:@negation', 'xx:k:@person', 'xx:f:confinement.locked:none', 'c:denied', 'c:anyPerson']));
    expect(signals).not.toContain('c:now');
    const calm = d.analyse('hello how are you?').signals;
    expect(calm).toContain('c:question');
    expect(calm.some((s) => s.startsWith('xx:f:'))).toBe(false);
    const held = d.analyse('locked now').signals;
    expect(held).toEqual(expect.arrayContaining(['xx:f:confinement.locked:emergency', 'c:now']));
    expect(held).not.toContain('c:denied');
    // Self-harm negated is never a denial of everything.
    expect(d.analyse('not want to die').signals).not.toContain('c:denied');
    expect(d.analyse('').signals).toEqual([]);
  });

  it('a long text is read in overlapping windows: a match at the edge of a window is found once, the highest level wins', () => {
    const filler = (n: number) => Array.from({ length: n }, () => 'word').join(' ');
    const edge = TOKEN_WINDOW - 40; // the overlap starts here
    const text = `${filler(edge - 1)} locked ${filler(TOKEN_WINDOW)} my sister was beaten now ${filler(10)}`;
    const a = d.assess(text);
    expect(a.level).toBe('high');
    expect(a.matches.filter((m) => m.id === 'xx.confinement.locked')).toHaveLength(1);
    expect(a.categories).toEqual(['confinement', 'violence']);
    expect(a.thirdParty).toBe(true);
    const atEnd = d.assess(`${filler(TOKEN_WINDOW * 2)} locked now`);
    expect(atEnd.level).toBe('emergency');
    expect(atEnd.thirdParty).toBeUndefined();
    expect(d.assess(filler(TOKEN_WINDOW * 2))).toEqual({ level: 'none', categories: [], matches: [] });
    const long = d.analyse(`${filler(TOKEN_WINDOW + 5)} locked`);
    expect(long.signals).toContain('xx:f:confinement.locked:high');
  });
});

describe('lexicon compiler', () => {
  const bad = (over: Partial<LexiconFile>) => () => compileLexicon('xx', lexiconSchema.parse(file(over)));
  const family = (f: Partial<LexiconFile['families'][number]>) => [{ id: 'confinement.x', category: 'confinement' as const, level: 'high' as const, patterns: ['{lock}'], ...f }];

  it('refuses patterns that cannot work, naming the family', () => {
    expect(bad({ families: family({ patterns: ['* {lock}'] }) })).toThrow(LexiconError);
    expect(bad({ families: family({ patterns: ['* {lock}'] }) })).toThrow(/xx confinement\.x: "\* \{lock\}": a gap must follow a word or class/);
    expect(bad({ families: family({ patterns: ['{lock} * ...'] }) })).toThrow(/a gap must follow/);
    expect(bad({ families: family({ patterns: ['{lock} *'] }) })).toThrow(/must start and end with a word or class/);
    expect(bad({ families: family({ patterns: ['$ {lock}'] }) })).toThrow(/must start and end/);
    expect(bad({ families: family({ patterns: ['{nope}'] }) })).toThrow(/xx confinement\.x: unknown class \{nope\}/);
  });

  it('refuses unknown names in raise and unless, and duplicate family ids', () => {
    expect(bad({ families: family({ raise: { sometimes: 'emergency' } }) })).toThrow(/raise\.sometimes is neither a context/);
    expect(bad({ families: family({ raise: { '{nope}': 'emergency' } }) })).toThrow(/raise names unknown class \{nope\}/);
    expect(bad({ families: family({ unless: ['nope'] }) })).toThrow(/unless names unknown class nope/);
    expect(bad({ families: [...family({}), ...family({})] })).toThrow(/xx: duplicate family id confinement\.x/);
    expect(bad({ families: family({ raise: { 'now+minor': 'emergency', trafficking: 'emergency', '{owe}': 'emergency' } }) })).not.toThrow();
  });

  it('the schema refuses what a staff member could get wrong', () => {
    expect(() => lexiconSchema.parse(file({ families: family({ level: 'none' as never }) }))).toThrow();
    expect(() => lexiconSchema.parse(file({ families: family({ category: 'gossip' as never }) }))).toThrow();
    expect(() => lexiconSchema.parse(file({ families: family({ id: 'Bad id' }) }))).toThrow();
    expect(() => lexiconSchema.parse(file({ families: family({ patterns: [] }) }))).toThrow();
    expect(() => lexiconSchema.parse(file({ families: [] }))).toThrow();
    expect(() => lexiconSchema.parse(file({ classes: { 'Bad-name': ['x'] } }))).toThrow();
  });

  it('compiles classes, modifiers, signals, teen-speak (identity entries dropped) and the vocabulary', () => {
    const c = compileLexicon('xx', lexiconSchema.parse(file()));
    expect(c.locale).toBe('xx');
    expect(c.classNames.slice(0, 6)).toEqual(['lock', 'beat', 'die', 'help', 'sell', 'owe']);
    expect(c.classNames).toContain('@negation');
    expect(c.classSignals[0]).toBe('xx:k:lock');
    expect(c.modifier.negation).toBe(c.classNames.indexOf('@negation'));
    expect(c.teen.get('lockd')).toEqual(['locked']);
    expect(c.teen.has('same')).toBe(false);
    for (const w of ['locked', 'shut', 'in', 'lockd', 'you', 'money', 'passport', 'took', 'border']) expect(c.vocabulary.has(w), w).toBe(true);
    // Longest phrase first for a first word.
    expect(c.phrasesByFirstWord.get('shut')![0]!.words.map((w) => w.norm)).toEqual(['shut', 'in']);
    expect(c.families.find((f) => f.id === 'documents.passport')).toMatchObject({ protect: true, negatable: true, conditional: false, figurative: false });
    expect(c.families.find((f) => f.id === 'debt_bondage.owe')).toMatchObject({ negatable: false });
    expect(c.families.find((f) => f.id === 'sale.sold')!.raise).toEqual([
      { when: ['minor', 'foreign'], level: 'emergency' },
      { when: [c.classNames.indexOf('owe')], level: 'high' },
    ]);
    expect(c.patternsByWord.get('was')!.map((p) => p.family.id)).toEqual(['violence.beaten']);
    expect(c.patternsByClass.get(c.classNames.indexOf('lock'))!.map((p) => p.family.id)).toEqual(['confinement.locked']);
    const sold = c.patternsByClass.get(c.classNames.indexOf('sell'))![0]!;
    expect(sold.classes).toEqual([c.classNames.indexOf('sell')]);
    expect(sold.words).toEqual(['border']);
    expect(c.age.test('12 years')).toBe(true);
    expect(c.age.test('20 years')).toBe(false);
    expect(c.joke.test('HAHA')).toBe(true);
    expect(c.joke.test('nothing funny')).toBe(false);
  });

  it('puts the longest phrase first for a first word, so the longer one is matched', () => {
    const c = compileLexicon('xx', lexiconSchema.parse(file({ classes: { ...file().classes, lock: ['shut', 'shut in for good', 'locked'] } })));
    expect(c.phrasesByFirstWord.get('shut')!.map((p) => p.words.length)).toEqual([4, 1]);
    expect(c.trie.next.get('shut')!.ends.map((p) => p.words.length)).toEqual([1]);
    expect(c.trie.next.get('shut')!.next.get('in')!.next.get('for')!.next.get('good')!.ends.map((p) => p.words.length)).toEqual([4]);
  });

  it('lexicon errors carry the stable code and say what is allowed', () => {
    const caught = (() => {
      try {
        bad({ families: family({ raise: { sometimes: 'emergency' } }) })();
      } catch (e) {
        return e as LexiconError;
      }
      return undefined;
    })();
    expect(caught).toBeInstanceOf(LexiconError);
    expect(caught!.code).toBe('RISK_LEXICON_INVALID');
    expect(caught!.message).toBe(
      'xx confinement.x: raise.sometimes is neither a context (now, minor, foreign, force, thirdParty), a category nor a {class}',
    );
  });

  it('no age or joke expressions: nothing matches them', () => {
    const c = compileLexicon('xx', lexiconSchema.parse(file({ modifiers: modifiers({ age: [], joke: [] }) })));
    expect(c.age.test('12 years')).toBe(false);
    expect(c.joke.test('haha')).toBe(false);
    expect(c.joke.test('')).toBe(false);
  });

  it('the shipped lexicons load and share the class names', () => {
    const vi = loadLexicon('vi');
    const en = loadLexicon('en');
    expect(vi.locale).toBe('vi');
    expect(en.classNames).toEqual(vi.classNames);
    expect(vi.families.length).toBeGreaterThan(20);
  });
});

describe('the shipped rules on what people type', () => {
  const rules = rulesDetector();
  const lv = (text: string) => rules.assess(text).level;

  it('the same message in Vietnamese with and without diacritics, in teen-speak and in English', () => {
    for (const text of ['em đang bị nhốt', 'em dang bi nhot', 'e dag bj nhot', 'EM ĐANG BỊ NHỐT!!!', 'I am locked in right now']) expect(lv(text), text).toBe('emergency');
  });

  it('Vietnamese and English lexicons both read a mixed message', () => {
    expect(rules.assess('help me, em bị nhốt').categories).toContain('confinement');
  });
});
