/**
 * Features of the risk model, shared by training and the runtime so both see exactly the same thing:
 * - the text is the project's normalised text (normaliseText: folded, no diacritics, teen-speak
 *   expanded), padded with one space at each end;
 * - hashed character n-grams of 2 to 5 characters, word unigrams and word bigrams;
 * - every occurrence counts 1/sqrt(N) where N is the number of feature occurrences in the window, so
 *   short and long messages score on the same scale.
 * - the rules' signals (the word classes present, each family match and the level it ended at, the
 *   context such as topic talk or negation: see assess.ts), each with the fixed value SIGNAL_VALUE, so
 *   the model can weigh what the rules saw, including matches the rules themselves cancelled.
 * Long texts are cut into bounded windows (WINDOW characters, overlapping by a third) scored one by one:
 * the cost of a message grows linearly and a danger sentence inside a long message is not diluted.
 */
export const NGRAM_MIN = 2;
export const NGRAM_MAX = 5;
export const WINDOW = 600;
export const STEP = 400;

export const SIGNAL_VALUE = 0.25;
/**
 * Feature values are count/sqrt(max(N, MIN_FEATURES)): a short message ("a broker called Minh") carries
 * less evidence than a long one, so a few strong n-grams cannot push it to the extremes.
 */
export const MIN_FEATURES = 200;
export const scaleFor = (n: number) => (n ? 1 / Math.sqrt(Math.max(n, MIN_FEATURES)) : 0);

const FNV_OFFSET = 0x811c9dc5;
const SIGNAL_SEED = 0x3c6ef372;
const FNV_PRIME = 16777619;
const WORD_SEED = 0x9747b28c;
const BIGRAM_SEED = 0x5bd1e995;

function finish(h: number, salt: number): number {
  h ^= salt;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Calls `sink(bucket)` for every feature occurrence of one window of normalised text; returns N.
 * `mask` is the number of buckets minus one (a power of two).
 */
export function forEachFeature(text: string, mask: number, sink: (bucket: number) => void): number {
  let n = 0;
  const padded = ` ${text} `;
  const len = padded.length;
  for (let i = 0; i < len; i++) {
    let h = FNV_OFFSET;
    const end = Math.min(len, i + NGRAM_MAX);
    for (let j = i; j < end; j++) {
      h = Math.imul(h ^ padded.charCodeAt(j), FNV_PRIME);
      const size = j - i + 1;
      if (size >= NGRAM_MIN) {
        sink(finish(h, size) & mask);
        n++;
      }
    }
  }
  // Words: unigrams and bigrams, hashed with their own seeds.
  let prev = -1;
  let h = WORD_SEED;
  let start = 1;
  for (let i = 1; i < len; i++) {
    const c = padded.charCodeAt(i);
    if (c === 32) {
      if (i > start) {
        const word = finish(h, 0x77);
        sink(word & mask);
        n++;
        if (prev >= 0) {
          sink(finish(Math.imul(prev ^ BIGRAM_SEED, FNV_PRIME) ^ word, 0x62) & mask);
          n++;
        }
        prev = word;
      }
      h = WORD_SEED;
      start = i + 1;
    } else {
      h = Math.imul(h ^ c, FNV_PRIME);
    }
  }
  return n;
}

/** Calls `sink(bucket)` for each rule signal ("vi:k:coerce", "c:topic"...). */
export function forEachSignal(signals: readonly string[], mask: number, sink: (bucket: number) => void): void {
  for (const signal of signals) {
    let h = SIGNAL_SEED;
    for (let i = 0; i < signal.length; i++) h = Math.imul(h ^ signal.charCodeAt(i), FNV_PRIME);
    sink(finish(h, 0x5a) & mask);
  }
}

/** The windows of a normalised text: the whole text when short, else overlapping slices cut at spaces. */
export function windows(text: string): string[] {
  if (text.length <= WINDOW) return [text];
  const out: string[] = [];
  for (let start = 0; start < text.length; start += STEP) {
    let from = start;
    if (from > 0) {
      const space = text.indexOf(' ', from);
      from = space < 0 ? text.length : space + 1;
    }
    let to = Math.min(text.length, start + WINDOW);
    if (to < text.length) {
      const space = text.lastIndexOf(' ', to);
      if (space > from) to = space;
    }
    if (to > from) out.push(text.slice(from, to));
    if (start + WINDOW >= text.length) break;
  }
  return out;
}

/** Sparse features of one text, merged: sorted bucket indices and their values (count/sqrt(N), signals SIGNAL_VALUE). */
export function sparseFeatures(text: string, mask: number, signals: readonly string[] = []): { index: Int32Array; value: Float32Array } {
  const values = new Map<number, number>();
  const n = forEachFeature(text, mask, (b) => values.set(b, (values.get(b) ?? 0) + 1));
  const scale = scaleFor(n);
  for (const [k, v] of values) values.set(k, v * scale);
  forEachSignal(signals, mask, (b) => values.set(b, (values.get(b) ?? 0) + SIGNAL_VALUE));
  const keys = [...values.keys()].sort((a, b) => a - b);
  return { index: Int32Array.from(keys), value: Float32Array.from(keys.map((k) => values.get(k)!)) };
}
