/**
 * FAQ search over locales/<lng>/faq.json: folded tokens (no diacritics, no case), weighted
 * question/keyword/answer fields, typo tolerance by optimal-string-alignment (Damerau-Levenshtein)
 * distance, and a "did you mean" rewrite of the query from the FAQ's own vocabulary.
 */
import type { Locale } from '../../flows/types.js';
import { resource, SUPPORTED_LOCALES } from '../i18n/index.js';
import { fold } from '../../text/fold.js';

export interface FaqItem {
  topic: string;
  q: string;
  a: string;
  article: string;
  keywords?: string;
  /** For staff: how the answer was checked (vn-facts section, what stays unverified). Never shown to users. */
  check?: string;
}

export interface FaqHit {
  id: string;
  score: number;
}

export interface FaqSearchResult {
  hits: FaqHit[];
  /** The query rewritten with the nearest known words, when that differs from what was typed. */
  suggestion?: string;
  /** True when the best hit is clearly the answer. */
  confident: boolean;
}

const STOPWORDS = new Set(
  ('la gi co khong ko k toi em minh ban anh chi cua cho va voi thi ma nhu nao the sao duoc dc bi o tai ve den mot nhung cac khi neu can phai lam ' +
    'the a an is are was be to of in on for and or my me i you your do does what how who can which where when it with at by from about this that').split(' '),
);

interface Doc {
  id: string;
  locale: Locale;
  fields: { tokens: string[]; weight: number }[];
}

let docs: Doc[] | undefined;
let vocabulary: Map<string, number> | undefined;

export function faqItems(locale: Locale): Record<string, FaqItem> {
  return resource<{ items: Record<string, FaqItem> }>(locale, 'faq').items;
}

const tokenize = (text: string) => fold(text).split(' ').filter((t) => t && !STOPWORDS.has(t));

function build(): Doc[] {
  if (docs) return docs;
  docs = [];
  vocabulary = new Map();
  for (const locale of SUPPORTED_LOCALES) {
    for (const [id, item] of Object.entries(faqItems(locale))) {
      const fields = [
        { tokens: tokenize(item.q), weight: 3 },
        { tokens: tokenize(item.keywords ?? ''), weight: 3 },
        { tokens: tokenize(item.a), weight: 1 },
      ];
      docs.push({ id, locale, fields });
      for (const f of fields) for (const t of f.tokens) vocabulary.set(t, (vocabulary.get(t) ?? 0) + 1);
    }
  }
  return docs;
}

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions), capped. */
export function osaDistance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > cap) return cap + 1;
  }
  return rows[a.length]![b.length]!;
}

const allowedTypos = (token: string) => (token.length >= 7 ? 2 : token.length >= 4 ? 1 : 0);

/** How well a query token matches a document token: 1 exact, 0.6-0.8 with a typo, 0.5 as a prefix. */
function tokenMatch(q: string, t: string): number {
  if (q === t) return 1;
  if (q.length >= 4 && t.startsWith(q)) return 0.5;
  const allowed = Math.min(allowedTypos(q), allowedTypos(t));
  if (!allowed) return 0;
  const d = osaDistance(q, t, allowed);
  return d <= allowed ? (d === 1 ? 0.8 : 0.6) : 0;
}

function correct(token: string): string {
  const vocab = vocabulary!;
  if (vocab.has(token)) return token;
  let best = token;
  let bestScore = 0;
  for (const [word, freq] of vocab) {
    const m = tokenMatch(token, word);
    const score = m + Math.min(freq, 20) / 1000;
    if (m >= 0.6 && score > bestScore) {
      bestScore = score;
      best = word;
    }
  }
  return best;
}

export function searchFaq(query: string, preferred: Locale = 'vi', limit = 3): FaqSearchResult {
  const all = build();
  const qTokens = tokenize(query);
  if (!qTokens.length) return { hits: [], confident: false };
  const n = all.length;
  const idf = (token: string) => Math.log(1 + n / (1 + (vocabulary!.get(token) ?? 0)));
  const byId = new Map<string, number>();
  for (const doc of all) {
    let score = 0;
    for (const q of qTokens) {
      let best = 0;
      for (const field of doc.fields) {
        for (const t of field.tokens) {
          const m = tokenMatch(q, t);
          if (m) best = Math.max(best, m * field.weight * idf(t));
        }
      }
      score += best;
    }
    // Consecutive query words found together ("nan nhan") count extra.
    const text = ` ${doc.fields.map((f) => f.tokens.join(' ')).join(' | ')} `;
    for (let i = 0; i + 1 < qTokens.length; i++) if (text.includes(` ${qTokens[i]} ${qTokens[i + 1]} `)) score += 2;
    score /= Math.sqrt(qTokens.length);
    if (doc.locale === preferred) score *= 1.05;
    if (score > (byId.get(doc.id) ?? 0)) byId.set(doc.id, score);
  }
  const hits = [...byId].map(([id, score]) => ({ id, score })).filter((h) => h.score >= 3).sort((a, b) => b.score - a.score);
  const corrected = qTokens.map(correct);
  const suggestion = corrected.join(' ') !== qTokens.join(' ') ? corrected.join(' ') : undefined;
  const [top, second] = hits;
  const confident = Boolean(top && top.score >= 6 && (!second || top.score >= second.score * 1.25));
  return { hits: hits.slice(0, limit), confident, ...(suggestion ? { suggestion } : {}) };
}
