/**
 * The risk model at run time: three logistic-regression heads (≥elevated, ≥high, emergency) over
 * hashed features of the normalised text (features.ts). Loaded synchronously, once, from the committed
 * file core/risk/model/model.json.gz written by `npm run risk:train`. The model can only raise the level
 * the rules give (assess.ts combines them); it never lowers it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { normaliseText } from '../normalise.js';
import type { RiskLevelName } from '../types.js';
import { forEachFeature, forEachSignal, MIN_FEATURES, scaleFor, SIGNAL_VALUE, windows } from './features.js';

export const MODEL_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model.json.gz');
export const MODEL_FORMAT = 'hotline-111-risk-model/1';
export const HEADS = ['elevated', 'high', 'emergency'] as const;
export type Head = (typeof HEADS)[number];
export type ModelScores = Record<Head, number>;

const headSchema = z.object({ bias: z.number(), scale: z.number().positive(), weights: z.string() });
export const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  buckets: z.number().int().positive().refine((n) => (n & (n - 1)) === 0, 'buckets must be a power of two'),
  heads: z.object({ elevated: headSchema, high: headSchema, emergency: headSchema }),
  /** Probability at or above which each head raises the level. */
  thresholds: z.object({ elevated: z.number(), high: z.number(), emergency: z.number() }),
  /** Value of each rule signal feature and the floor of the n-gram count (features.ts); must match the code that reads them. */
  signalValue: z.literal(SIGNAL_VALUE),
  minFeatures: z.literal(MIN_FEATURES),
  /** What it was trained from: files ("extra:" for counsellor labels), a digest of the labelled texts and of the lexicons. */
  training: z.object({ messages: z.number().int(), files: z.array(z.string()), digest: z.string(), lexicon: z.string() }).passthrough(),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

export interface RiskModel {
  thresholds: ModelFile['thresholds'];
  /** Probabilities of each head (max over the text's windows), given the rules' signals for the text. */
  scores(text: string, signals: readonly string[]): ModelScores;
  /** The same for text already normalised with normaliseText. */
  scoresNormalised(normalised: string, signals: readonly string[]): ModelScores;
  /** The model's level; with `signals`, talk without a present situation caps it (see calmedBySignals). */
  level(scores: ModelScores, signals?: readonly string[]): RiskLevelName;
}

/**
 * The rules' calming context also bounds what the model may add: in a joke, a resolved story, topic
 * talk (homework, films, news) that names no person, or a message whose every rule match is negated
 * ("tôi không bị nhốt"), the model raises at most to elevated, unless the rules saw self-harm (never
 * lowered below high).
 */
export function calmedBySignals(signals: readonly string[]): boolean {
  const has = (s: string) => signals.includes(s);
  if (signals.some((s) => s.includes(':f:self_harm.'))) return false;
  return has('c:joke') || has('c:resolved') || has('c:denied') || (has('c:topic') && !has('c:anyPerson'));
}

/** Weights quantised to int16 with one scale per head, little-endian, base64. */
export function encodeWeights(weights: Float32Array): { scale: number; weights: string } {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max > 0 ? max / 32767 : 1;
  const q = new Int16Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i]! / scale);
  return { scale, weights: Buffer.from(q.buffer).toString('base64') };
}

function decodeWeights(head: z.infer<typeof headSchema>, buckets: number): Float32Array {
  const bytes = Buffer.from(head.weights, 'base64');
  if (bytes.length !== buckets * 2) throw new Error(`RISK_MODEL_INVALID: expected ${buckets} weights`);
  const q = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = new Float32Array(buckets);
  for (let i = 0; i < buckets; i++) out[i] = q[i]! * head.scale;
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function createModel(file: ModelFile): RiskModel {
  const { buckets } = file;
  const mask = buckets - 1;
  // Interleaved: weights of bucket b for the three heads at 3b, 3b+1, 3b+2 (one cache line per feature).
  const w = new Float32Array(buckets * 3);
  HEADS.forEach((head, k) => {
    const decoded = decodeWeights(file.heads[head], buckets);
    for (let b = 0; b < buckets; b++) w[3 * b + k] = decoded[b]!;
  });
  const bias = HEADS.map((h) => file.heads[h].bias);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  const add = (b: number) => {
    const o = 3 * b;
    s0 += w[o]!;
    s1 += w[o + 1]!;
    s2 += w[o + 2]!;
  };
  const { thresholds } = file;
  const scoresNormalised = (normalised: string, signals: readonly string[]): ModelScores => {
    const out: ModelScores = { elevated: 0, high: 0, emergency: 0 };
    if (!normalised) return out;
    // The signals are about the whole message: the same sum is added to every window.
    s0 = s1 = s2 = 0;
    forEachSignal(signals, mask, add);
    const g0 = s0 * SIGNAL_VALUE;
    const g1 = s1 * SIGNAL_VALUE;
    const g2 = s2 * SIGNAL_VALUE;
    for (const window of windows(normalised)) {
      s0 = s1 = s2 = 0;
      const n = forEachFeature(window, mask, add);
      const f = scaleFor(n);
      out.elevated = Math.max(out.elevated, sigmoid(bias[0]! + g0 + s0 * f));
      out.high = Math.max(out.high, sigmoid(bias[1]! + g1 + s1 * f));
      out.emergency = Math.max(out.emergency, sigmoid(bias[2]! + g2 + s2 * f));
    }
    return out;
  };
  return {
    thresholds,
    scoresNormalised,
    scores: (text, signals) => scoresNormalised(normaliseText(text), signals),
    level(scores, signals) {
      const calm = signals ? calmedBySignals(signals) : false;
      // Emergency needs both heads: the message is high risk and urgent.
      if (!calm && scores.emergency >= thresholds.emergency && scores.high >= thresholds.high) return 'emergency';
      if (!calm && scores.high >= thresholds.high) return 'high';
      if (scores.elevated >= thresholds.elevated) return 'elevated';
      return 'none';
    },
  };
}

export function readModelFile(file = MODEL_FILE): ModelFile {
  return modelFileSchema.parse(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')));
}

let cached: RiskModel | null | undefined;

/** The committed model, loaded once; null when no model file exists yet (rules alone then). */
export function defaultModel(): RiskModel | null {
  if (cached === undefined) cached = existsSync(MODEL_FILE) ? createModel(readModelFile()) : null;
  return cached;
}
