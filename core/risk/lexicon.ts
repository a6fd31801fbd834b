/**
 * Risk lexicons: locales/<lng>/risk.json, written to be read and edited by staff, validated with zod
 * and compiled once into word-indexed tables.
 *
 * A lexicon has
 * - `classes`: named word classes, each a list of phrases ("coerce": ["bị ép", "ép", "bắt", ...]);
 *   the same class names exist in every language (a class may be empty in one);
 * - `families`: the rules. Each family has a category, a level and patterns over classes and words:
 *     "{coerce} * {sexAct}"   a coercion word, up to 3 words, then a sexual act, in one clause
 *     "bị {beat}"             the word "bị" then a word of the class beat
 *     "{threatKill} ... {person}"   "..." = up to 6 words, in the same sentence
 *     "bán! {person}"         "!" after a word: only as typed with these accents ("bán", never "ban"/"bạn")
 *     "cứu {person} $"        "$" = the end of the clause
 *   and optional behaviour: `raise` (level when a context holds: now, minor, foreign, force, thirdParty,
 *   another family's category, or "{class}": a word of that class anywhere in the message; "minor+foreign"
 *   needs both), `protect` (talk about the topic, the past or a joke never lowers it below high),
 *   `negatable: false` (a "không" before it does not cancel it), `conditional` (an "if"/"nếu" is part of
 *   the threat, not a hypothetical), `figurative` (also said as a figure of speech: topic talk lowers it
 *   even when it names a person), `unless` (classes that cancel it in the same clause),
 *   `notFollowedBy` / `notPrecededBy` (words); `unless` looks at the match's clause and the one before;
 * - `exceptions`: a class phrase does not count when followed by one of the listed words
 *   ("đánh" + "răng" is brushing teeth);
 * - `modifiers`: context phrases (negation, who it is about, topic talk, the past, a foreign place,
 *   "now"...), `age` and `joke` regular expressions;
 * - `teen`: teen-speak and abbreviations, expanded before matching (ko → không).
 * Everything is matched on folded words (no diacritics, lower case), so "bị nhốt", "bi nhot" and
 * "bj nhot" are the same; a word typed WITH accents must have the phrase's accents ("bạn" is not "bán").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOCALES_DIR } from '../i18n/index.js';
import { foldWord, hasAccents, phraseWords, squeezeRepeats } from './normalise.js';
import { RISK_LEVELS, type RiskLevelName } from './types.js';

export const RISK_CATEGORIES = [
  'trafficking',
  'sale',
  'organ_trade',
  'forced_marriage',
  'confinement',
  'movement',
  'pursuit',
  'violence',
  'threat',
  'ransom',
  'documents',
  'debt_bondage',
  'sexual_exploitation',
  'forced_labour',
  'missing_person',
  'recruitment',
  'self_harm',
  'immediate_danger',
  'child_at_risk',
] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

export const CONTEXTS = ['now', 'minor', 'foreign', 'force', 'thirdParty'] as const;
export type Context = (typeof CONTEXTS)[number];

const riskLevel = z.enum(RISK_LEVELS).exclude(['none']);

const familySchema = z.object({
  id: z.string().regex(/^[a-z][a-zA-Z0-9_.]*$/),
  category: z.enum(RISK_CATEGORIES),
  level: riskLevel,
  patterns: z.array(z.string().min(1)).min(1),
  /** Level when a context holds (now, minor, foreign, force, thirdParty) or another family's category is present. */
  raise: z.record(z.string(), riskLevel).optional(),
  protect: z.boolean().optional(),
  negatable: z.boolean().optional(),
  conditional: z.boolean().optional(),
  /** Also said as a figure of speech ("cứu em với" about homework): topic talk lowers it even when it names a person. */
  figurative: z.boolean().optional(),
  unless: z.array(z.string()).optional(),
  notFollowedBy: z.array(z.string()).optional(),
  notPrecededBy: z.array(z.string()).optional(),
  note: z.string().optional(),
});

const modifierNames = ['negation', 'denial', 'person', 'thirdParty', 'topic', 'topicWeak', 'trivial', 'resolved', 'hypothetical', 'question', 'past', 'foreign', 'now', 'force', 'minor'] as const;
export type ModifierName = (typeof modifierNames)[number];

export const lexiconSchema = z.object({
  about: z.string().optional(),
  classes: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), z.array(z.string().min(1))),
  families: z.array(familySchema).min(1),
  exceptions: z.array(
    z.object({ phrase: z.string().min(1), notFollowedBy: z.array(z.string().min(1)).optional(), notPrecededBy: z.array(z.string().min(1)).optional() }),
  ),
  modifiers: z.object({
    negation: z.array(z.string()),
    /** A clear denial ("không có ý định", "or anything"): a negated self-harm phrase then drops to none. */
    denial: z.array(z.string()),
    /** Pronouns and relatives: a match right after one is about a real person, not a topic. */
    person: z.array(z.string()),
    thirdParty: z.array(z.string()),
    /** Talk about the subject (homework, films, news, games): lowers matches not next to a person. */
    topic: z.array(z.string()),
    /** Weaker signs of a general question (law, procedure, rights): lower matches only when no person is named at all. */
    topicWeak: z.array(z.string()),
    /** Everyday trouble (a broken laptop, a game, homework): lowers figurative cries for help. */
    trivial: z.array(z.string()),
    /** A story that is over and resolved ("long ago", "đã về từ lâu"): lowers every match but self-harm. */
    resolved: z.array(z.string()),
    hypothetical: z.array(z.string()),
    question: z.array(z.string()),
    past: z.array(z.string()),
    foreign: z.array(z.string()),
    now: z.array(z.string()),
    force: z.array(z.string()),
    minor: z.array(z.string()),
    /** Regular expressions over the folded text that signal a child's age. */
    age: z.array(z.string()),
    /** Regular expressions over the lower-case text as typed that mark a joke (=)), haha, lol). */
    joke: z.array(z.string()),
  }),
  teen: z.record(z.string(), z.string()),
});
export type LexiconFile = z.infer<typeof lexiconSchema>;

export interface Word {
  norm: string;
  /** The accented form to compare with what the user typed (repeated letters squeezed). */
  accented?: string;
  /** Only matches a word typed with exactly these accents (never unaccented or teen-speak). */
  strict?: boolean;
}

export type Element = { kind: 'word'; word: Word } | { kind: 'class'; id: number } | { kind: 'gap'; max: number; sentence: boolean } | { kind: 'end' };

export interface CompiledFamily {
  id: string;
  category: RiskCategory;
  level: Exclude<RiskLevelName, 'none'>;
  patterns: Element[][];
  /** Each condition of `when`: a context name, a category, or a class id (the class occurs anywhere in the message). */
  raise: { when: (string | number)[]; level: Exclude<RiskLevelName, 'none'> }[];
  protect: boolean;
  negatable: boolean;
  conditional: boolean;
  figurative: boolean;
  unless: number[];
  notFollowedBy: Word[];
  notPrecededBy: Word[];
}

export interface TrieNode {
  next: Map<string, TrieNode>;
  /** Phrases that end at this node (their words still need the accent check). */
  ends: ClassPhrase[];
}

/** A pattern with what it needs to match at all: every class and word in it (a cheap pre-check). */
export interface IndexedPattern {
  family: CompiledFamily;
  pattern: Element[];
  classes: number[];
  words: string[];
}

export interface ClassPhrase {
  cls: number;
  words: Word[];
  /** Words that cancel the phrase when next to it (compared like any lexicon word: accents count). */
  notFollowedBy?: Word[];
  notPrecededBy?: Word[];
}

export interface CompiledLexicon {
  locale: string;
  classNames: string[];
  /** The model signal of each class ("vi:k:coerce"). */
  classSignals: string[];
  /** Class phrases (modifiers included, as classes named "@negation"...) by first word, longest first. */
  phrasesByFirstWord: Map<string, ClassPhrase[]>;
  /** The same phrases in a trie of folded words: one walk from each token finds every phrase starting there. */
  trie: TrieNode;
  modifier: Record<ModifierName, number>;
  families: CompiledFamily[];
  /** Patterns by their first element: a class id or a folded word. */
  patternsByClass: Map<number, IndexedPattern[]>;
  patternsByWord: Map<string, IndexedPattern[]>;
  age: RegExp;
  joke: RegExp;
  teen: Map<string, string[]>;
  vocabulary: Set<string>;
}

export class LexiconError extends Error {
  readonly code = 'RISK_LEXICON_INVALID';
}

const GAP_CLAUSE = 3;
const GAP_SENTENCE = 6;

/** The folded words of a phrase; a word ending in "!" only matches exactly as written ("bán!", "gan!"). */
function toWords(phrase: string, teen: ReadonlyMap<string, string[]>): Word[] {
  return phrase
    .normalize('NFC')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((part) => {
      const strict = part.length > 1 && part.endsWith('!');
      return phraseWords(strict ? part.slice(0, -1) : part, teen).map((w) => ({
        norm: w.norm,
        ...(hasAccents(w.typed) ? { accented: squeezeRepeats(w.typed) } : {}),
        ...(strict ? { strict: true } : {}),
      }));
    });
}

export function compileLexicon(locale: string, file: LexiconFile): CompiledLexicon {
  const teen = new Map<string, string[]>();
  for (const [from, to] of Object.entries(file.teen)) {
    const key = foldWord(from);
    const words = to.split(/\s+/).map(foldWord).filter(Boolean);
    if (key && words.length && !(words.length === 1 && words[0] === key)) teen.set(key, words);
  }
  const vocabulary = new Set<string>();
  const classNames = [...Object.keys(file.classes), ...modifierNames.map((m) => `@${m}`)];
  const classId = new Map(classNames.map((n, i) => [n, i]));
  // Only the word next to the phrase is compared: the first word of a "not followed by" entry, the last of a "not preceded by" one.
  const exceptions = new Map<string, { next: Word[]; before: Word[] }>();
  for (const e of file.exceptions) {
    const key = toWords(e.phrase, teen).map((w) => w.norm).join(' ');
    const entry = exceptions.get(key) ?? { next: [], before: [] };
    for (const w of e.notFollowedBy ?? []) {
      const first = toWords(w, teen)[0];
      if (first) entry.next.push(first);
    }
    for (const w of e.notPrecededBy ?? []) {
      const last = toWords(w, teen).at(-1);
      if (last) entry.before.push(last);
    }
    exceptions.set(key, entry);
  }
  const phrasesByFirstWord = new Map<string, ClassPhrase[]>();
  const addPhrase = (cls: number, phrase: string) => {
    const words = toWords(phrase, teen);
    if (!words.length) return;
    for (const w of words) vocabulary.add(w.norm);
    const exception = exceptions.get(words.map((w) => w.norm).join(' '));
    const list = phrasesByFirstWord.get(words[0]!.norm) ?? [];
    list.push({
      cls,
      words,
      ...(exception?.next.length ? { notFollowedBy: exception.next } : {}),
      ...(exception?.before.length ? { notPrecededBy: exception.before } : {}),
    });
    phrasesByFirstWord.set(words[0]!.norm, list);
  };
  for (const [name, phrases] of Object.entries(file.classes)) for (const p of phrases) addPhrase(classId.get(name)!, p);
  for (const m of modifierNames) for (const p of file.modifiers[m]) addPhrase(classId.get(`@${m}`)!, p);
  for (const list of phrasesByFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length);
  const trie: TrieNode = { next: new Map(), ends: [] };
  for (const list of phrasesByFirstWord.values()) {
    for (const phrase of list) {
      let node = trie;
      for (const w of phrase.words) {
        let child = node.next.get(w.norm);
        if (!child) node.next.set(w.norm, (child = { next: new Map(), ends: [] }));
        node = child;
      }
      node.ends.push(phrase);
    }
  }

  const compilePattern = (familyId: string, pattern: string): Element[] => {
    const elements: Element[] = [];
    for (const part of pattern.normalize('NFC').trim().split(/\s+/)) {
      if (part === '*' || part === '...') {
        if (!elements.length || elements.at(-1)!.kind === 'gap') throw new LexiconError(`${locale} ${familyId}: "${pattern}": a gap must follow a word or class`);
        elements.push({ kind: 'gap', max: part === '*' ? GAP_CLAUSE : GAP_SENTENCE, sentence: part === '...' });
      } else if (part === '$') {
        elements.push({ kind: 'end' });
      } else if (/^\{[a-zA-Z0-9@]+\}$/.test(part)) {
        const id = classId.get(part.slice(1, -1));
        if (id === undefined) throw new LexiconError(`${locale} ${familyId}: unknown class ${part}`);
        elements.push({ kind: 'class', id });
      } else {
        for (const word of toWords(part, teen)) {
          vocabulary.add(word.norm);
          elements.push({ kind: 'word', word });
        }
      }
    }
    if (!elements.length || elements.at(-1)!.kind === 'gap' || elements[0]!.kind === 'end') throw new LexiconError(`${locale} ${familyId}: "${pattern}" must start and end with a word or class`);
    return elements;
  };

  const families: CompiledFamily[] = [];
  const patternsByClass = new Map<number, IndexedPattern[]>();
  const patternsByWord = new Map<string, IndexedPattern[]>();
  const ids = new Set<string>();
  for (const f of file.families) {
    if (ids.has(f.id)) throw new LexiconError(`${locale}: duplicate family id ${f.id}`);
    ids.add(f.id);
    const family: CompiledFamily = {
      id: f.id,
      category: f.category,
      level: f.level,
      patterns: [],
      raise: Object.entries(f.raise ?? {}).map(([key, level]) => ({
        // "minor+foreign": every condition must hold.
        when: key.split('+').map((when) => {
          if (/^\{[a-zA-Z0-9]+\}$/.test(when)) {
            const id = classId.get(when.slice(1, -1));
            if (id === undefined) throw new LexiconError(`${locale} ${f.id}: raise names unknown class ${when}`);
            return id;
          }
          if (!(CONTEXTS as readonly string[]).includes(when) && !(RISK_CATEGORIES as readonly string[]).includes(when)) {
            throw new LexiconError(`${locale} ${f.id}: raise.${when} is neither a context (${CONTEXTS.join(', ')}), a category nor a {class}`);
          }
          return when;
        }),
        level,
      })),
      protect: !!f.protect,
      negatable: f.negatable ?? true,
      conditional: !!f.conditional,
      figurative: !!f.figurative,
      unless: (f.unless ?? []).map((name) => {
        const id = classId.get(name);
        if (id === undefined) throw new LexiconError(`${locale} ${f.id}: unless names unknown class ${name}`);
        return id;
      }),
      // Only the first word of a multi-word entry is compared (the next/previous token).
      notFollowedBy: (f.notFollowedBy ?? []).flatMap((w) => toWords(w, teen).slice(0, 1)),
      notPrecededBy: (f.notPrecededBy ?? []).flatMap((w) => toWords(w, teen).slice(-1)),
    };
    for (const p of f.patterns) {
      const pattern = compilePattern(f.id, p);
      family.patterns.push(pattern);
      const first = pattern[0]!;
      const indexed: IndexedPattern = {
        family,
        pattern,
        classes: [...new Set(pattern.flatMap((e) => (e.kind === 'class' ? [e.id] : [])))],
        words: [...new Set(pattern.flatMap((e) => (e.kind === 'word' ? [e.word.norm] : [])))],
      };
      if (first.kind === 'class') {
        const list = patternsByClass.get(first.id) ?? [];
        list.push(indexed);
        patternsByClass.set(first.id, list);
      } else if (first.kind === 'word') {
        const list = patternsByWord.get(first.word.norm) ?? [];
        list.push(indexed);
        patternsByWord.set(first.word.norm, list);
      }
    }
    families.push(family);
  }
  for (const [key, words] of teen) {
    vocabulary.add(key);
    for (const w of words) vocabulary.add(w);
  }
  const regex = (list: string[], flags: string) => (list.length ? new RegExp(list.map((re) => `(?:${re})`).join('|'), flags) : /(?!)/u);
  return {
    locale,
    classNames,
    classSignals: classNames.map((n) => `${locale}:k:${n}`),
    phrasesByFirstWord,
    trie,
    modifier: Object.fromEntries(modifierNames.map((m) => [m, classId.get(`@${m}`)!])) as Record<ModifierName, number>,
    families,
    patternsByClass,
    patternsByWord,
    age: regex(file.modifiers.age, 'u'),
    joke: regex(file.modifiers.joke, 'iu'),
    teen,
    vocabulary,
  };
}

export function readLexiconFile(locale: string, dir = LOCALES_DIR): LexiconFile {
  const raw = JSON.parse(readFileSync(path.join(dir, locale, 'risk.json'), 'utf8')) as unknown;
  return lexiconSchema.parse(raw);
}

export function loadLexicon(locale: string, dir = LOCALES_DIR): CompiledLexicon {
  return compileLexicon(locale, readLexiconFile(locale, dir));
}
