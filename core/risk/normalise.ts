/**
 * Normalisation for risk matching. Works on the NFC text so every token keeps its character span
 * in what the user wrote (the console highlights it):
 * - lower case, Vietnamese diacritics stripped (đ → d), apostrophes dropped (can't → cant);
 * - spacing tricks joined ("c.u.u t.o.i", "c u u") and repeated letters collapsed ("cuuuu" → "cuu",
 *   "toiii" → "toi") guided by the lexicon vocabulary; leetspeak digits ("h3lp") likewise;
 * - teen-speak and abbreviations expanded from the lexicon's table (ko → khong, dc → duoc...).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKS = /\p{M}/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };
/** Clause breaks: negation never reaches across them ("không, em bị nhốt thật"). */
const CLAUSE_BREAKS = new Set(['.', ',', ';', ':', '!', '?', '\n', '(', ')']);
const SENTENCE_BREAKS = new Set(['.', ';', '!', '?', '\n']);

export interface Token {
  /** The folded, repaired form used for matching. */
  norm: string;
  /** The token as typed (NFC, lower case): used to tell "bán" from "bạn" when accents were typed. */
  typed: string;
  /** Span in the NFC text. */
  start: number;
  end: number;
  /** Index of the clause the token is in (commas, colons, brackets and sentence ends separate clauses). */
  clause: number;
  /** Index of the sentence the token is in (. ! ? ; and line breaks). */
  sentence: number;
  /** True when the token came from a teen-speak expansion (no accent check then). */
  expanded?: boolean;
  /** The typed form with repeated letters squeezed ("bánnn" → "bán"), when it was typed with diacritics. */
  accented?: string;
}

const foldedChars = new Map<string, string>();
const wordChars = new Map<string, boolean>();

function foldChar(ch: string): string {
  let folded = foldedChars.get(ch);
  if (folded === undefined) {
    folded = ch === 'đ' || ch === 'Đ' ? 'd' : ch.normalize('NFD').replace(MARKS, '').toLowerCase();
    if (foldedChars.size < 10_000) foldedChars.set(ch, folded);
  }
  return folded;
}

/** Letter or digit (cached per character: the hot path of every check). */
function isWordChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  let known = wordChars.get(ch);
  if (known === undefined) {
    known = LETTER_OR_DIGIT.test(ch);
    if (wordChars.size < 10_000) wordChars.set(ch, known);
  }
  return known;
}

export function foldWord(word: string): string {
  let out = '';
  for (const ch of word.normalize('NFC')) out += foldChar(ch);
  return out.replace(/['’]/g, '');
}

/** Raw tokens of the NFC text with spans; dotted spellings like c.u.u are joined. */
export function rawTokens(nfc: string): Token[] {
  const tokens: Token[] = [];
  // Lower-casing once is much cheaper than per character; when it changes the length (rare scripts)
  // the token text is lower-cased piece by piece instead, so spans stay right.
  const lower = nfc.toLowerCase();
  const sameLength = lower.length === nfc.length;
  let clause = 0;
  let sentence = 0;
  let i = 0;
  while (i < nfc.length) {
    const ch = nfc[i]!;
    if (CLAUSE_BREAKS.has(ch) && !isDottedSpelling(nfc, i)) {
      if (tokens.length && tokens[tokens.length - 1]!.clause === clause) clause++;
      if (SENTENCE_BREAKS.has(ch) && tokens.length && tokens[tokens.length - 1]!.sentence === sentence) sentence++;
      i++;
      continue;
    }
    if (!isWordChar(ch) && !(ch === '@' || ch === '$')) {
      i++;
      continue;
    }
    const start = i;
    let skipped = false;
    while (i < nfc.length) {
      const c = nfc[i]!;
      if (isWordChar(c) || c === '@' || c === '$') {
        i++;
      } else if ((c === "'" || c === '’') && i + 1 < nfc.length && isWordChar(nfc[i + 1]!)) {
        skipped = true;
        i++; // can't → cant
      } else if ((c === '.' || c === '-' || c === '*' || c === '_') && isDottedSpelling(nfc, i)) {
        skipped = true;
        i++; // c.u.u → cuu
      } else break;
    }
    let typed: string;
    if (!skipped && sameLength) typed = lower.slice(start, i);
    else {
      typed = '';
      for (let k = start; k < i; k++) {
        const c = nfc[k]!;
        if (isWordChar(c) || c === '@' || c === '$') typed += c.toLowerCase();
      }
    }
    const norm = foldToken(typed);
    const token: Token = { norm, typed, start, end: i, clause, sentence };
    if (typed !== norm) token.accented = squeezeRepeats(typed);
    tokens.push(token);
  }
  return joinSpacedLetters(tokens);
}

const foldedTokens = new Map<string, string>();

/** Folds a lower-case token (cached: the same syllables come back all the time). */
function foldToken(typed: string): string {
  let norm = foldedTokens.get(typed);
  if (norm === undefined) {
    norm = '';
    for (const ch of typed) norm += foldChar(ch);
    if (foldedTokens.size > 100_000) foldedTokens.clear();
    foldedTokens.set(typed, norm);
  }
  return norm;
}

/** Repeated letters squeezed to one ("cứuuu" → "cứu"): how typed accents are compared. */
export function squeezeRepeats(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) out += s[i];
  return out;
}

/** A separator between single letters on both sides: "c.u.u", "h-e-l-p". */
function isDottedSpelling(text: string, i: number): boolean {
  const before = text[i - 1];
  const after = text[i + 1];
  const beforeBefore = text[i - 2];
  const isLetter = (c: string | undefined) => !!c && /\p{L}/u.test(c);
  return isLetter(before) && isLetter(after) && !isLetter(beforeBefore) && !isLetter(text[i + 2]);
}

/** Four or more single letters in a row ("c u u t o i") are one spelled-out word. */
function joinSpacedLetters(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && tokens[j]!.norm.length === 1 && /\p{L}/u.test(tokens[j]!.norm) && tokens[j]!.clause === tokens[i]!.clause) j++;
    if (j - i >= 4) {
      const run = tokens.slice(i, j);
      out.push({ norm: run.map((t) => t.norm).join(''), typed: run.map((t) => t.typed).join(''), start: run[0]!.start, end: run.at(-1)!.end, clause: run[0]!.clause, sentence: run[0]!.sentence });
      i = j;
    } else {
      out.push(tokens[i]!);
      i++;
    }
  }
  return out;
}

/** Repairs a token toward a known word: repeated letters, then leetspeak. Unknown words stay as typed. */
const repairCaches = new WeakMap<ReadonlySet<string>, Map<string, string>>();

export function repair(norm: string, vocabulary: ReadonlySet<string>): string {
  if (vocabulary.has(norm)) return norm;
  let cache = repairCaches.get(vocabulary);
  if (!cache) repairCaches.set(vocabulary, (cache = new Map()));
  let repaired = cache.get(norm);
  if (repaired === undefined) {
    repaired = repairUncached(norm, vocabulary);
    if (cache.size > 50_000) cache.clear();
    cache.set(norm, repaired);
  }
  return repaired;
}

function repairUncached(norm: string, vocabulary: ReadonlySet<string>): string {
  const known = (word: string): string | undefined => {
    if (vocabulary.has(word)) return word;
    const squeezed = word.replace(/(.)\1{2,}/g, '$1$1');
    if (vocabulary.has(squeezed)) return squeezed;
    const single = squeezed.replace(/(.)\1+/g, '$1');
    return vocabulary.has(single) ? single : undefined;
  };
  const direct = known(norm);
  if (direct) return direct;
  if (/[0-9@$]/.test(norm) && /\p{L}/u.test(norm)) {
    const unleet = known(norm.replace(/[013457@$]/g, (c) => LEET[c] ?? c));
    if (unleet) return unleet;
  }
  return norm.replace(/(.)\1{2,}/g, '$1$1');
}

/** Tokens ready for matching one locale's lexicon: repaired, then teen-speak expanded. */
export function matchTokens(raw: readonly Token[], vocabulary: ReadonlySet<string>, teen: ReadonlyMap<string, string[]>): Token[] {
  const out: Token[] = [];
  for (const token of raw) {
    const norm = repair(token.norm, vocabulary);
    const expansion = teen.get(norm);
    if (expansion) {
      for (const word of expansion) out.push({ ...token, norm: word, expanded: true });
    } else {
      out.push({ ...token, norm });
    }
  }
  return out;
}

/** The folded words of a lexicon phrase (teen-speak expanded the same way as messages). */
export function phraseWords(phrase: string, teen: ReadonlyMap<string, string[]>): { norm: string; typed: string }[] {
  return phrase
    .normalize('NFC')
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((word) => {
      if (word === '*') return [{ norm: '*', typed: '*' }];
      return rawTokens(word).flatMap((t) => {
        const expansion = teen.get(t.norm);
        return expansion ? expansion.map((w) => ({ norm: w, typed: w })) : [{ norm: t.norm, typed: t.typed }];
      });
    });
}

export function hasAccents(word: string): boolean {
  return foldWord(word) !== word.normalize('NFC').toLowerCase();
}

export { LETTER_OR_DIGIT };

/**
 * The shared teen-speak table: the Vietnamese table of locales/vi/risk.json, then the English one for
 * keys Vietnamese does not define. Read once, on first use.
 */
const LOCALES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../locales');
let sharedTeen: { teen: Map<string, string[]>; vocabulary: Set<string> } | undefined;

export function compileTeen(tables: Record<string, string>[]): { teen: Map<string, string[]>; vocabulary: Set<string> } {
  const teen = new Map<string, string[]>();
  const vocabulary = new Set<string>();
  for (const table of tables) {
    for (const [from, to] of Object.entries(table)) {
      const key = foldWord(from);
      const words = to.split(/\s+/).map(foldWord).filter(Boolean);
      if (!key || teen.has(key) || !words.length || (words.length === 1 && words[0] === key)) continue;
      teen.set(key, words);
      vocabulary.add(key);
      for (const w of words) vocabulary.add(w);
    }
  }
  return { teen, vocabulary };
}

function defaultTeen() {
  sharedTeen ??= compileTeen(
    ['vi', 'en'].map((lng) => (JSON.parse(readFileSync(path.join(LOCALES, lng, 'risk.json'), 'utf8')) as { teen?: Record<string, string> }).teen ?? {}),
  );
  return sharedTeen;
}

/**
 * The folded, teen-speak-expanded text: lower case, no diacritics (đ → d), spelled-out words joined,
 * repeated letters squeezed, abbreviations expanded (ko → khong, dc → duoc, pls → please), words
 * separated by single spaces and clause punctuation dropped. "E ko đc VỀ!!!" → "em khong duoc ve".
 */
export function normaliseText(text: string): string {
  if (!text) return '';
  return normaliseTokens(rawTokens(text.normalize('NFC')));
}

/** normaliseText for tokens already made with rawTokens (saves tokenising twice). */
export function normaliseTokens(raw: readonly Token[]): string {
  const { teen, vocabulary } = defaultTeen();
  const words: string[] = [];
  for (const token of raw) {
    const norm = repair(token.norm, vocabulary);
    const expansion = teen.get(norm);
    if (expansion) words.push(...expansion);
    else words.push(norm);
  }
  return words.join(' ');
}
