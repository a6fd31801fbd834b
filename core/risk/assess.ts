/**
 * The rules: families of patterns over normalised text (locales/<lng>/risk.json, see lexicon.ts).
 * Both lexicons (vi, en) are matched, because people mix languages.
 *
 * For each family match:
 * 1. Negation within 3 words before it, in the same clause ("tôi không bị đánh"), cancels it, except
 *    that protected families (self-harm, a person's own danger) stay at high.
 * 2. `raise`: the level rises when a context holds: now ("đang", "tối nay"), a minor (age, "lớp 8"),
 *    a foreign place or border, force ("ép", "kéo"), or when another family's category is present
 *    (confinement with violence → emergency).
 * 3. Calming: talk about the subject without a present situation (homework, news, films, law and FAQ
 *    questions, "nếu ... thì làm gì") lowers a match that is not about a person to none; a joke (=)),
 *    haha, lol) lowers any match to none; a trivial context (laptop, game) lowers figurative cries
 *    ("cứu em với" about homework); self-harm never goes below high this way. "If" before a match
 *    lowers it one level (protected families excepted); the past ("năm ngoái", "đã được giải cứu")
 *    lowers emergency to high unless "now" is also said.
 * 4. A child's age with any match adds the category child_at_risk; someone writing about another
 *    person sets thirdParty.
 * Long texts are read in bounded windows of tokens, so the cost stays linear.
 */
import { matchTokens, normaliseTokens, rawTokens, type Token } from './normalise.js';
import { loadLexicon, type CompiledFamily, type CompiledLexicon, type Element, type IndexedPattern, type Word } from './lexicon.js';
import { riskRank, type RiskAssessment, type RiskDetector, type RiskLevelName, type RiskMatch } from './types.js';

const NEGATION_WINDOW = 3;
const PERSON_WINDOW = 2;
/** Tokens analysed per window, and the overlap between windows, for long messages. */
export const TOKEN_WINDOW = 400;
const TOKEN_OVERLAP = 40;


/**
 * A token typed with accents must have the word's accents ("bạn" is not "bán", "thủ" is not "thu",
 * "cấm" is not "cam"); unaccented typing and teen-speak cannot tell them apart, so they match unless the
 * word is strict (then only the exact typed form matches).
 */
function wordMatches(token: Token, word: Word): boolean {
  if (token.norm !== word.norm) return false;
  const form = word.accented ?? word.norm;
  if (word.strict) return !token.expanded && (token.accented ?? token.norm) === form;
  if (token.expanded || token.accented === undefined) return true;
  return token.accented === form;
}

interface Occurrence {
  cls: number;
  end: number;
}

/** Every class phrase (and modifier phrase) occurrence, by start token. */
function occurrences(tokens: Token[], lexicon: CompiledLexicon): (Occurrence[] | undefined)[] {
  const out: (Occurrence[] | undefined)[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const clause = tokens[i]!.clause;
    let node = lexicon.trie.next.get(tokens[i]!.norm);
    for (let k = i; node; ) {
      for (const phrase of node.ends) {
        const { words } = phrase;
        let ok = true;
        for (let w = 0; w < words.length; w++) {
          if (!wordMatches(tokens[i + w]!, words[w]!)) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        const next = tokens[k + 1];
        if (phrase.notFollowedBy && next && next.clause === clause && phrase.notFollowedBy.some((w) => wordMatches(next, w))) continue;
        const before = tokens[i - 1];
        if (phrase.notPrecededBy && before && before.clause === clause && phrase.notPrecededBy.some((w) => wordMatches(before, w))) continue;
        const list = (out[i] ??= []);
        if (!list.some((o) => o.cls === phrase.cls && o.end === k)) list.push({ cls: phrase.cls, end: k });
      }
      k++;
      const t = tokens[k];
      if (!t || t.clause !== clause) break;
      node = node.next.get(t.norm);
    }
  }
  return out;
}

interface Matcher {
  tokens: Token[];
  occ: (Occurrence[] | undefined)[];
}

function inScope(m: Matcher, a: number, b: number, sentence: boolean): boolean {
  return sentence ? m.tokens[a]!.sentence === m.tokens[b]!.sentence : m.tokens[a]!.clause === m.tokens[b]!.clause;
}

/** Matches pattern[e..] with element e at token p; prev is the last token matched. Returns the last token, or -1. */
function matchFrom(m: Matcher, pattern: Element[], e: number, p: number, prev: number, gap?: Extract<Element, { kind: 'gap' }>): number {
  if (e === pattern.length) return prev;
  const el = pattern[e]!;
  if (el.kind === 'gap') {
    for (let skip = 0; skip <= el.max; skip++) {
      const q = p + skip;
      if (q >= m.tokens.length || !inScope(m, prev, q, el.sentence)) break;
      const r = matchFrom(m, pattern, e + 1, q, prev, el);
      if (r >= 0) return r;
    }
    return -1;
  }
  if (el.kind === 'end') {
    const next = m.tokens[p];
    return !next || next.clause !== m.tokens[prev]!.clause ? matchFrom(m, pattern, e + 1, p, prev) : -1;
  }
  const token = m.tokens[p];
  if (!token) return -1;
  if (prev >= 0 && !(gap ? inScope(m, prev, p, gap.sentence) : inScope(m, prev, p, false))) return -1;
  if (el.kind === 'word') return wordMatches(token, el.word) ? matchFrom(m, pattern, e + 1, p + 1, p) : -1;
  for (const o of m.occ[p] ?? []) {
    if (o.cls !== el.id) continue;
    const r = matchFrom(m, pattern, e + 1, o.end + 1, o.end);
    if (r >= 0) return r;
  }
  return -1;
}

interface Hit {
  family: CompiledFamily;
  locale: string;
  first: number;
  last: number;
  start: number;
  end: number;
  /** Context of the lexicon the hit was found with. */
  ctx: LexiconContext;
}

interface LexiconContext {
  tokens: Token[];
  occ: (Occurrence[] | undefined)[];
  lexicon: CompiledLexicon;
  /** Occurrences by class id (built once per window). */
  spans: Map<number, { first: number; last: number }[]>;
}

function indexSpans(occ: (Occurrence[] | undefined)[]): Map<number, { first: number; last: number }[]> {
  const spans = new Map<number, { first: number; last: number }[]>();
  occ.forEach((list, i) => {
    for (const o of list ?? []) {
      const l = spans.get(o.cls);
      if (l) l.push({ first: i, last: o.end });
      else spans.set(o.cls, [{ first: i, last: o.end }]);
    }
  });
  return spans;
}

function findHits(ctx: LexiconContext): Hit[] {
  const { tokens, occ, lexicon } = ctx;
  const m: Matcher = { tokens, occ };
  const hits: Hit[] = [];
  const seen = new Set<string>();
  const words = new Set(tokens.map((t) => t.norm));
  const tryPattern = ({ family, pattern, classes, words: needed }: IndexedPattern, i: number) => {
    // Cheap pre-checks first: every class and word of the pattern must be somewhere in the window.
    for (const c of classes) if (!ctx.spans.has(c)) return;
    for (const w of needed) if (!words.has(w)) return;
    const key = `${family.id}:${i}`;
    if (seen.has(key)) return;
    const last = matchFrom(m, pattern, 0, i, -1);
    if (last < 0) return;
    const before = tokens[i - 1];
    if (before && before.clause === tokens[i]!.clause && family.notPrecededBy.some((w) => wordMatches(before, w))) return;
    const after = tokens[last + 1];
    if (after && after.clause === tokens[last]!.clause && family.notFollowedBy.some((w) => wordMatches(after, w))) return;
    if (family.unless.length && hasClassNear(ctx, family.unless, tokens[i]!.clause)) return;
    seen.add(key);
    hits.push({ family, locale: lexicon.locale, first: i, last, start: tokens[i]!.start, end: tokens[last]!.end, ctx });
  };
  for (let i = 0; i < tokens.length; i++) {
    for (const o of occ[i] ?? []) for (const p of lexicon.patternsByClass.get(o.cls) ?? []) tryPattern(p, i);
    for (const p of lexicon.patternsByWord.get(tokens[i]!.norm) ?? []) tryPattern(p, i);
  }
  return hits;
}

/** A class in the match's clause or the clause just before it ("nuôi con chó, tối phải nhốt nó"). */
function hasClassNear(ctx: LexiconContext, classes: number[], clause: number): boolean {
  for (const cls of classes) {
    for (const span of ctx.spans.get(cls) ?? []) {
      const c = ctx.tokens[span.first]!.clause;
      if (c === clause || c === clause - 1) return true;
    }
  }
  return false;
}

/** Start/end token of every occurrence of a modifier. */
function modifierSpans(ctx: LexiconContext, cls: number): { first: number; last: number }[] {
  return ctx.spans.get(cls) ?? [];
}

/** One hit per family and overlapping span: the earliest, then the longest. */
function dedupe(hits: Hit[]): Hit[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Hit[] = [];
  for (const h of sorted) {
    if (kept.some((k) => k.family.id === h.family.id && k.locale === h.locale && h.start < k.end && k.start < h.end)) continue;
    kept.push(h);
  }
  return kept;
}

const maxLevel = (a: RiskLevelName, b: RiskLevelName): RiskLevelName => (riskRank(a) >= riskRank(b) ? a : b);
const minLevel = (a: RiskLevelName, b: RiskLevelName): RiskLevelName => (riskRank(a) <= riskRank(b) ? a : b);

interface MessageContext {
  now: boolean;
  minor: boolean;
  foreign: boolean;
  force: boolean;
  thirdParty: boolean;
  topic: boolean;
  question: boolean;
  past: boolean;
  joke: boolean;
  trivial: boolean;
  topicWeak: boolean;
  anyPerson: boolean;
  denial: boolean;
  resolved: boolean;
}

/** A negation just before the match, in its clause; one inside a condition ("không nộp thì không trả hộ chiếu") does not reach past "thì". */
function isNegated(hit: Hit): boolean {
  const { ctx, first } = hit;
  const { tokens, lexicon } = ctx;
  const clause = tokens[first]!.clause;
  return modifierSpans(ctx, lexicon.modifier.negation).some(
    (n) => n.last < first && first - n.last <= NEGATION_WINDOW && tokens[n.first]!.clause === clause && !tokens.slice(n.last + 1, first).some((t) => t.norm === 'thi'),
  );
}

function levelOf(hit: Hit, message: MessageContext, categories: ReadonlySet<string>): RiskLevelName {
  const { family, ctx, first, last } = hit;
  const { tokens, lexicon } = ctx;
  let level: RiskLevelName = family.level;
  // 1. Negation just before the match, in its clause, not part of it.
  if (family.negatable) {
    if (isNegated(hit)) {
      // "em không muốn chết" still reaches a counsellor; "tôi không bị đánh" and "I don't want to die or anything" do not.
      if (family.category !== 'self_harm' || message.denial) return 'none';
      level = minLevel(level, 'high');
    }
  }
  // 2. Raises.
  const holds = (when: string | number) =>
    typeof when === 'number'
      ? ctx.occ.some((list) => list?.some((o) => o.cls === when))
      : when in message
        ? message[when as keyof MessageContext]
        : categories.has(when) && when !== family.category;
  for (const r of family.raise) if (r.when.every(holds)) level = maxLevel(level, r.level);
  // 3. Calming: self-harm goes down to high at most, the rest to none.
  const calmed = (l: RiskLevelName): RiskLevelName => (family.category === 'self_harm' ? minLevel(l, 'high') : 'none');
  // About a real person: a pronoun or relative just before, inside or just after the match, in its sentence.
  const personal =
    !family.figurative &&
    modifierSpans(ctx, lexicon.modifier.person).some(
      (p) =>
        tokens[p.first]!.sentence === tokens[first]!.sentence &&
        ((p.last < first && first - p.last <= PERSON_WINDOW) ||
          (p.first >= first && p.last <= last) ||
          (p.first > last && p.first - last <= PERSON_WINDOW && tokens[p.first]!.clause === tokens[last]!.clause)),
    );
  if (message.joke || message.resolved || (message.topic && !personal) || (message.topicWeak && (!message.anyPerson || (message.question && !personal))) || (family.figurative && message.trivial)) return calmed(level);
  if (!family.conditional) {
    const hypothetical = modifierSpans(ctx, lexicon.modifier.hypothetical).some((h) => h.last < first && tokens[h.first]!.sentence === tokens[first]!.sentence);
    if (hypothetical) {
      // "If someone's passport is taken..." about nobody in particular is a question, not a case.
      if (!personal) return calmed(level);
      if (!family.protect) level = level === 'emergency' ? 'high' : level === 'high' ? 'elevated' : level;
    }
  }
  if (message.past && !message.now) {
    // A story from the past about nobody named ("hồi xưa có người bị bán") is talk; a person's past still needs help.
    if (!personal && (!message.anyPerson || message.topicWeak)) return calmed(level);
    if (level === 'emergency') level = 'high';
  }
  return level;
}

function jokeIn(ctxs: LexiconContext[], nfc: string): boolean {
  const lower = nfc.toLowerCase();
  const tested = new Set<string>();
  for (const c of ctxs) {
    const re = c.lexicon.joke;
    if (tested.has(re.source)) continue;
    tested.add(re.source);
    if (re.test(lower)) return true;
  }
  return false;
}

function contextOf(ctxs: LexiconContext[], nfc: string, folded: string): MessageContext {
  const any = (name: keyof CompiledLexicon['modifier']) => ctxs.some((c) => c.spans.has(c.lexicon.modifier[name]));
  return {
    now: any('now'),
    minor: any('minor') || ctxs.some((c) => c.lexicon.age.test(folded)),
    foreign: any('foreign'),
    force: any('force'),
    thirdParty: any('thirdParty'),
    topic: any('topic'),
    question: any('question') || nfc.includes('?'),
    past: any('past'),
    trivial: any('trivial'),
    topicWeak: any('topicWeak'),
    anyPerson: any('person'),
    denial: any('denial'),
    resolved: any('resolved'),
    joke: jokeIn(ctxs, nfc),
  };
}

const NONE: RiskAssessment = { level: 'none', categories: [], matches: [] };

/**
 * What the rules saw, as names for the statistical model (model/features.ts): the word classes present,
 * every family match with the level it ended at (none when negated or calmed), and the message context.
 */
function collectSignals(signals: Set<string>, ctxs: LexiconContext[], hits: Hit[], message: MessageContext, levels: Map<Hit, RiskLevelName>) {
  for (const c of ctxs) for (const cls of c.spans.keys()) signals.add(c.lexicon.classSignals[cls]!);
  for (const h of hits) signals.add(`${h.locale}:f:${h.family.id}:${levels.get(h) ?? 'none'}`);
  // Every match negated ("tôi không bị nhốt", "I was not beaten"): the person says it is not happening.
  if (hits.length && hits.every((h) => h.family.negatable && h.family.category !== 'self_harm' && isNegated(h))) signals.add('c:denied');
  for (const [name, on] of Object.entries(message)) if (on) signals.add(`c:${name}`);
}

function assessWindow(lexicons: CompiledLexicon[], raw: Token[], nfc: string, signals?: Set<string>): RiskAssessment {
  const folded = raw.map((t) => t.norm).join(' ');
  const ctxs: LexiconContext[] = lexicons.map((lexicon) => {
    const tokens = matchTokens(raw, lexicon.vocabulary, lexicon.teen);
    const occ = occurrences(tokens, lexicon);
    return { tokens, occ, lexicon, spans: indexSpans(occ) };
  });
  const hits = dedupe(ctxs.flatMap(findHits));
  if (!hits.length) {
    if (signals) collectSignals(signals, ctxs, hits, contextOf(ctxs, nfc, folded), new Map());
    return NONE;
  }
  const message = contextOf(ctxs, nfc, folded);
  // Raises by another family's category only count families that hold on their own (not negated or calmed).
  const present = new Set(hits.filter((h) => levelOf(h, message, new Set()) !== 'none').map((h) => h.family.category));
  let level: RiskLevelName = 'none';
  const categories = new Set<string>();
  const matches: RiskMatch[] = [];
  const levels = new Map<Hit, RiskLevelName>();
  for (const hit of hits) {
    const l = levelOf(hit, message, present);
    levels.set(hit, l);
    if (l === 'none') continue;
    matches.push({ id: `${hit.locale}.${hit.family.id}`, category: hit.family.category, level: l, start: hit.start, end: hit.end });
    categories.add(hit.family.category);
    level = maxLevel(level, l);
  }
  if (signals) collectSignals(signals, ctxs, hits, message, levels);
  if (level === 'none') return NONE;
  if (message.minor) categories.add('child_at_risk');
  return { level, categories: [...categories].sort(), matches, ...(message.thirdParty ? { thirdParty: true } : {}) };
}

export interface RulesAnalysis {
  assessment: RiskAssessment;
  /** The text as normaliseText gives it (from the same tokens). */
  normalised: string;
  /** What the rules saw (classes, family matches and their levels, context), for the model. */
  signals: string[];
}

export interface RulesDetector extends RiskDetector {
  analyse(text: string): RulesAnalysis;
}

export function createDetector(lexicons: CompiledLexicon[]): RulesDetector {
  const run = (text: string, signals?: Set<string>, out?: { normalised: string }): RiskAssessment => {
    if (!text) return NONE;
    const nfc = text.normalize('NFC');
    const raw = rawTokens(nfc);
    if (out) out.normalised = normaliseTokens(raw);
    if (!raw.length) return NONE;
    if (raw.length <= TOKEN_WINDOW) return assessWindow(lexicons, raw, nfc, signals);
    // Long text: bounded, overlapping windows of tokens; the highest level wins, matches are merged.
    let best: RiskAssessment = NONE;
    const categories = new Set<string>();
    const matches: RiskMatch[] = [];
    let thirdParty = false;
    for (let from = 0; from < raw.length; from += TOKEN_WINDOW - TOKEN_OVERLAP) {
      const slice = raw.slice(from, from + TOKEN_WINDOW);
      const a = assessWindow(lexicons, slice, nfc.slice(slice[0]!.start, slice.at(-1)!.end), signals);
      if (riskRank(a.level) > riskRank(best.level)) best = a;
      a.categories.forEach((c) => categories.add(c));
      for (const m of a.matches) if (!matches.some((x) => x.start === m.start && x.end === m.end && x.id === m.id)) matches.push(m);
      thirdParty ||= !!a.thirdParty;
      if (from + TOKEN_WINDOW >= raw.length) break;
    }
    if (best.level === 'none') return NONE;
    return { level: best.level, categories: [...categories].sort(), matches, ...(thirdParty ? { thirdParty: true } : {}) };
  };
  return {
    assess: (text: string) => run(text),
    analyse(text: string): RulesAnalysis {
      const signals = new Set<string>();
      const out = { normalised: '' };
      const assessment = run(text, signals, out);
      return { assessment, normalised: out.normalised, signals: [...signals].sort() };
    },
  };
}

let cached: RulesDetector | undefined;

/** The rules detector over the shipped lexicons (locales/vi/risk.json and locales/en/risk.json). */
export function rulesDetector(): RulesDetector {
  cached ??= createDetector([loadLexicon('vi'), loadLexicon('en')]);
  return cached;
}

/** Kept for callers of the former name: the rules alone. */
export const lexiconDetector = rulesDetector;
