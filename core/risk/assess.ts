/**
 * The risk detector: a pure function of the text. Both lexicons (vi, en) are matched, because people
 * mix languages; the conversation's locale only breaks ties in nothing today and is kept for later.
 *
 * Rules, in order:
 * 1. Phrase matches on whole words (after normalisation); an accented phrase does not match a word
 *    typed with other accents ("bạn" is not "bán"); `notFollowedBy` blocks known collisions.
 * 2. Negation within 3 words before a match in the same clause drops it ("tôi không bị đánh"),
 *    except that self-harm and emergency matches never drop below high.
 * 3. Hypothetical/educational talk before a match ("nếu", "xem phim", "for school") lowers it one
 *    level, never below elevated (self-harm is never lowered); past/resolved talk ("năm ngoái",
 *    "was rescued") lowers emergency to high.
 * 4. Combinations: confinement, forced labour or trafficking with a foreign place (outside the
 *    matched phrase) → at least high;
 *    confinement with violence → emergency; a high match with an urgent marker ("ngay bây giờ",
 *    "right now") → emergency; a child's age with any risk signal → at least high (plus child_at_risk).
 * 5. Someone writing about another person (em tôi, my sister) keeps the level and sets thirdParty.
 */
import { foldWord, matchTokens, rawTokens, type Token } from './normalise.js';
import { loadLexicon, type CompiledLexicon, type CompiledPhrase, type ModifierName } from './lexicon.js';
import { RISK_LEVELS, riskRank, type RiskAssessment, type RiskDetector, type RiskLevelName, type RiskMatch } from './types.js';

const NEGATION_WINDOW = 3;
const GAP_MAX = 2;

interface Hit {
  phrase: CompiledPhrase;
  first: number;
  last: number;
  start: number;
  end: number;
}

const squeeze = (s: string) => s.replace(/(.)\1+/gu, '$1');

function wordMatches(token: Token, word: { norm: string; accented?: string }, strict: boolean): boolean {
  if (token.norm !== word.norm) return false;
  // Expanded teen-speak and unaccented typing cannot tell "bán" from "bạn": they match unless the phrase is strict.
  if (token.expanded || !typedWithAccents(token)) return !(strict && word.accented);
  if (!word.accented) return true;
  return squeeze(token.typed) === squeeze(word.accented);
}

function typedWithAccents(token: Token): boolean {
  return foldWord(token.typed) !== token.typed;
}

/** Matches `words` starting at token i; returns the index of the last token matched, or -1. */
function matchAt(tokens: Token[], i: number, phrase: CompiledPhrase, w = 0): number {
  if (w === phrase.words.length) return i - 1;
  const word = phrase.words[w]!;
  if (word.norm === '*') {
    for (let gap = 0; gap <= GAP_MAX; gap++) {
      if (i + gap > tokens.length) break;
      const end = matchAt(tokens, i + gap, phrase, w + 1);
      if (end >= 0) return end;
    }
    return -1;
  }
  const token = tokens[i];
  if (!token || (w > 0 && token.clause !== tokens[i - 1]!.clause) || !wordMatches(token, word, phrase.strict)) return -1;
  return matchAt(tokens, i + 1, phrase, w + 1);
}

function findHits(tokens: Token[], lexicon: CompiledLexicon): Hit[] {
  const hits: Hit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const candidates = lexicon.byFirstWord.get(tokens[i]!.norm);
    if (!candidates) continue;
    for (const phrase of candidates) {
      const last = matchAt(tokens, i, phrase);
      if (last < 0) continue;
      const next = tokens[last + 1];
      if (next && next.clause === tokens[last]!.clause && phrase.notFollowedBy.has(next.norm)) continue;
      hits.push({ phrase, first: i, last, start: tokens[i]!.start, end: tokens[last]!.end });
      break; // longest phrase of this term family at this position
    }
  }
  return hits;
}

/** Positions (first token index) where a modifier phrase occurs. */
function findModifier(tokens: Token[], lexicon: CompiledLexicon, name: ModifierName): number[] {
  const index = lexicon.modifiers[name];
  const found: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const candidates = index.get(tokens[i]!.norm);
    if (!candidates) continue;
    if (candidates.some((words) => words.every((w, k) => tokens[i + k]?.norm === w && tokens[i + k]!.clause === tokens[i]!.clause))) found.push(i);
  }
  return found;
}

const maxLevel = (a: RiskLevelName, b: RiskLevelName): RiskLevelName => (riskRank(a) >= riskRank(b) ? a : b);
const lower = (level: RiskLevelName, floor: RiskLevelName): RiskLevelName => maxLevel(RISK_LEVELS[Math.max(0, riskRank(level) - 1)]!, floor);

interface Scored {
  hit: Hit;
  level: RiskLevelName;
}

function scoreLexicon(raw: Token[], lexicon: CompiledLexicon, folded: string) {
  const tokens = matchTokens(raw, lexicon.vocabulary, lexicon.teen);
  const hits = findHits(tokens, lexicon);
  // Most messages match nothing: modifiers only matter around a match.
  if (!hits.length) return { scored: [], foreign: false, urgent: false, thirdParty: false, child: false, hypothetical: false, past: false };
  const negations = findModifier(tokens, lexicon, 'negation');
  const hypotheticalAt = findModifier(tokens, lexicon, 'hypothetical');
  const past = findModifier(tokens, lexicon, 'past').length > 0;
  // A foreign place inside a matched phrase ("lấy chồng nước ngoài") is part of that phrase, not extra context.
  const inHit = (i: number) => hits.some((h) => i >= h.first && i <= h.last);
  const foreign = findModifier(tokens, lexicon, 'foreign').some((i) => !inHit(i));
  const urgent = findModifier(tokens, lexicon, 'urgent').length > 0;
  const thirdParty = findModifier(tokens, lexicon, 'thirdParty').length > 0;
  const child = lexicon.age.test(folded);

  const scored: Scored[] = [];
  for (const hit of hits) {
    const { category } = hit.phrase;
    let level: RiskLevelName = hit.phrase.level;
    const firstWordIsNegation = negations.includes(hit.first);
    const negated =
      !firstWordIsNegation &&
      negations.some((n) => n < hit.first && hit.first - n <= NEGATION_WINDOW && tokens[n]!.clause === tokens[hit.first]!.clause);
    const protectedLevel = category === 'self_harm' || level === 'emergency';
    if (negated) {
      if (!protectedLevel) continue;
      level = lower(level, 'high');
    }
    // "If...", "signs of...", "in the movie...": talk about risk rather than a person at risk, when it comes first.
    const hypothetical = hypotheticalAt.some((h) => h < hit.first);
    if (hypothetical && category !== 'self_harm') level = lower(level, 'elevated');
    if (past && level === 'emergency') level = 'high';
    if (level !== 'none') scored.push({ hit, level });
  }
  return { scored, foreign, urgent, thirdParty, child, hypothetical: hypotheticalAt.length > 0, past };
}

export function createDetector(lexicons: CompiledLexicon[]): RiskDetector {
  return {
    assess(text: string): RiskAssessment {
      if (!text) return { level: 'none', categories: [], matches: [] };
      const nfc = text.normalize('NFC');
      const raw = rawTokens(nfc);
      if (!raw.length) return { level: 'none', categories: [], matches: [] };
      const folded = raw.map((t) => t.norm).join(' ');
      let level: RiskLevelName = 'none';
      const categories = new Set<string>();
      const matches: RiskMatch[] = [];
      let thirdParty = false;
      let foreign = false;
      let urgent = false;
      let child = false;
      let calm = false;
      for (const lexicon of lexicons) {
        const result = scoreLexicon(raw, lexicon, folded);
        foreign ||= result.foreign;
        urgent ||= result.urgent;
        thirdParty ||= result.thirdParty;
        child ||= result.child;
        calm ||= result.hypothetical || result.past;
        for (const { hit, level: hitLevel } of result.scored) {
          if (matches.some((m) => m.start === hit.start && m.end === hit.end && m.category === hit.phrase.category)) continue;
          matches.push({ id: `${lexicon.locale}.${hit.phrase.termId}`, category: hit.phrase.category, level: hitLevel, start: hit.start, end: hit.end });
          categories.add(hit.phrase.category);
          level = maxLevel(level, hitLevel);
        }
      }
      if (level === 'none' && !matches.length) return { level: 'none', categories: [], matches: [] };
      // People mix languages ("my sister bị bán"): who it is about may be in the other lexicon.
      if (!thirdParty) thirdParty = lexicons.some((lexicon) => findModifier(matchTokens(raw, lexicon.vocabulary, lexicon.teen), lexicon, 'thirdParty').length > 0);
      const has = (c: string) => categories.has(c);
      if (foreign && (has('confinement') || has('forced_labour') || has('trafficking'))) level = maxLevel(level, 'high');
      if (!calm && has('confinement') && has('violence')) level = 'emergency';
      if (!calm && urgent && level === 'high' && (has('confinement') || has('violence') || has('sexual_exploitation') || has('immediate_danger') || has('self_harm'))) level = 'emergency';
      if (child && matches.length) {
        level = maxLevel(level, 'high');
        categories.add('child_at_risk');
      }
      return { level, categories: [...categories].sort(), matches, ...(thirdParty ? { thirdParty: true } : {}) };
    },
  };
}

let cached: RiskDetector | undefined;

/** The rules detector over the shipped lexicons (locales/vi/risk.json and locales/en/risk.json). */
export function rulesDetector(): RiskDetector {
  cached ??= createDetector([loadLexicon('vi'), loadLexicon('en')]);
  return cached;
}

/** Kept for callers of the former name: the rules alone. */
export const lexiconDetector = rulesDetector;
