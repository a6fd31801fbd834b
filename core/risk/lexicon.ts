/**
 * Risk lexicons: locales/<lng>/risk.json (terms with category and level, modifiers, teen-speak),
 * validated with zod and compiled once into word-indexed phrase tables for fast matching.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOCALES_DIR } from '../i18n/index.js';
import { foldWord, hasAccents, phraseWords } from './normalise.js';
import { RISK_LEVELS, type RiskLevelName } from './types.js';

export const RISK_CATEGORIES = [
  'trafficking',
  'confinement',
  'violence',
  'sexual_exploitation',
  'forced_labour',
  'self_harm',
  'immediate_danger',
  'child_at_risk',
] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

const termSchema = z.object({
  id: z.string().min(1),
  category: z.enum(RISK_CATEGORIES),
  level: z.enum(RISK_LEVELS).exclude(['none']),
  phrases: z.array(z.string().min(1)).min(1),
  notFollowedBy: z.array(z.string()).optional(),
  /** Every phrase only matches when typed with the same accents (collision-heavy phrases). */
  requireAccents: z.boolean().optional(),
  /** The listed phrases only match when typed with accents. */
  requireAccentsFor: z.array(z.string()).optional(),
});

export const lexiconSchema = z.object({
  about: z.string().optional(),
  terms: z.array(termSchema).min(1),
  modifiers: z.object({
    negation: z.array(z.string()),
    thirdParty: z.array(z.string()),
    hypothetical: z.array(z.string()),
    past: z.array(z.string()),
    foreign: z.array(z.string()),
    urgent: z.array(z.string()),
    /** Regular expressions over the folded text that signal a child's age. */
    age: z.array(z.string()),
  }),
  teen: z.record(z.string(), z.string()),
});
export type LexiconFile = z.infer<typeof lexiconSchema>;

export interface Word {
  norm: string;
  /** The accented form to compare with what the user typed, when the phrase demands accents. */
  accented?: string;
}

export interface CompiledPhrase {
  termId: string;
  category: RiskCategory;
  level: Exclude<RiskLevelName, 'none'>;
  words: Word[];
  notFollowedBy: ReadonlySet<string>;
  /** Only matches words typed with the phrase's accents. */
  strict: boolean;
}

export type ModifierName = 'negation' | 'thirdParty' | 'hypothetical' | 'past' | 'foreign' | 'urgent';

export interface CompiledLexicon {
  locale: string;
  /** Phrases indexed by their first word (longest first). */
  byFirstWord: Map<string, CompiledPhrase[]>;
  modifiers: Record<ModifierName, Map<string, string[][]>>;
  /** One expression for all the age patterns. */
  age: RegExp;
  teen: Map<string, string[]>;
  vocabulary: Set<string>;
}

function indexPhrases(phrases: string[][]): Map<string, string[][]> {
  const map = new Map<string, string[][]>();
  for (const words of phrases) {
    if (!words.length) continue;
    const list = map.get(words[0]!) ?? [];
    list.push(words);
    map.set(words[0]!, list);
  }
  for (const list of map.values()) list.sort((a, b) => b.length - a.length);
  return map;
}

export function compileLexicon(locale: string, file: LexiconFile): CompiledLexicon {
  const teen = new Map<string, string[]>();
  for (const [from, to] of Object.entries(file.teen)) {
    const key = foldWord(from);
    const words = to.split(/\s+/).map(foldWord).filter(Boolean);
    if (key && words.length && !(words.length === 1 && words[0] === key)) teen.set(key, words);
  }
  const vocabulary = new Set<string>();
  const byFirstWord = new Map<string, CompiledPhrase[]>();
  for (const term of file.terms) {
    const accentOnly = new Set((term.requireAccentsFor ?? []).map((p) => p.normalize('NFC')));
    const notFollowedBy = new Set((term.notFollowedBy ?? []).map(foldWord));
    for (const phrase of term.phrases) {
      const demandAccents = term.requireAccents || accentOnly.has(phrase.normalize('NFC'));
      const words: Word[] = phraseWords(phrase, teen).map((w) => ({
        norm: w.norm,
        ...((demandAccents || hasAccents(w.typed)) && w.norm !== '*' ? { accented: w.typed } : {}),
      }));
      if (demandAccents) for (const w of words) if (w.accented && !hasAccents(w.accented)) delete w.accented;
      for (const w of words) if (w.norm !== '*') vocabulary.add(w.norm);
      // Accented phrases still match unaccented typing; only a differently accented word blocks them.
      const compiled: CompiledPhrase = { termId: term.id, category: term.category, level: term.level, words, notFollowedBy, strict: !!demandAccents };
      const first = words[0]!.norm;
      const list = byFirstWord.get(first) ?? [];
      list.push(compiled);
      byFirstWord.set(first, list);
    }
  }
  for (const list of byFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length);
  const modifiers = {} as Record<ModifierName, Map<string, string[][]>>;
  for (const name of ['negation', 'thirdParty', 'hypothetical', 'past', 'foreign', 'urgent'] as const) {
    const phrases = file.modifiers[name].map((p) => phraseWords(p, teen).map((w) => w.norm));
    for (const words of phrases) for (const w of words) vocabulary.add(w);
    modifiers[name] = indexPhrases(phrases);
  }
  for (const [key, words] of teen) {
    vocabulary.add(key);
    for (const w of words) vocabulary.add(w);
  }
  return { locale, byFirstWord, modifiers, age: new RegExp(file.modifiers.age.map((re) => `(?:${re})`).join('|'), 'u'), teen, vocabulary };
}

export function loadLexicon(locale: string, dir = LOCALES_DIR): CompiledLexicon {
  const raw = JSON.parse(readFileSync(path.join(dir, locale, 'risk.json'), 'utf8')) as unknown;
  return compileLexicon(locale, lexiconSchema.parse(raw));
}
