/**
 * Labelled risk messages: the training TSVs in core/risk/training/*.tsv (`level<TAB>text`, `#` comments),
 * the counsellor labels given with `--extra FILE` (same format), the project's evaluation set
 * (tests/core/risk/eval-set.jsonl) and the untouched evaluation set (tests/core/risk/holdout.tsv,
 * `level<TAB>set<TAB>text`). Bad lines are errors with file and line, never skipped silently.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RISK_LEVELS, type RiskLevelName } from '../types.js';

export interface Labelled {
  level: RiskLevelName;
  text: string;
  /** Where it came from: "a.tsv:12", "eval-set", "holdout". */
  source: string;
  /** Sub-set name (eval sets: vi, vi-plain, teen, en...). */
  set?: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TRAINING_DIR = path.join(ROOT, 'core/risk/training');
export const DEV_SET_FILE = path.join(ROOT, 'tests/core/risk/eval-set.jsonl');
export const HOLDOUT_FILE = path.join(ROOT, 'tests/core/risk/holdout.tsv');

const isLevel = (s: string): s is RiskLevelName => (RISK_LEVELS as readonly string[]).includes(s);

export class LabelFileError extends Error {
  readonly code = 'RISK_LABEL_FILE_INVALID';
}

/** Reads a TSV of `level<TAB>text` (columns = 2) or `level<TAB>set<TAB>text` (columns = 3). */
export function readTsv(file: string, columns: 2 | 3 = 2): Labelled[] {
  const name = path.basename(file);
  const out: Labelled[] = [];
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim() || line.startsWith('#')) return;
      const parts = line.split('\t');
      const level = parts[0]!.trim().toLowerCase();
      const text = parts.slice(columns - 1).join(' ').trim();
      if (parts.length < columns || !isLevel(level) || !text) {
        throw new LabelFileError(`${name}:${i + 1}: expected "level${columns === 3 ? '<TAB>set' : ''}<TAB>text" with level one of ${RISK_LEVELS.join('|')}`);
      }
      out.push({ level, text, source: `${name}:${i + 1}`, ...(columns === 3 ? { set: parts[1]!.trim() } : {}) });
    });
  return out;
}

/** Every core/risk/training/*.tsv, in file-name order (deterministic). */
export function trainingFiles(dir = TRAINING_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function loadTraining(dir = TRAINING_DIR): Labelled[] {
  return trainingFiles(dir).flatMap((f) => readTsv(f));
}

export function loadDevSet(file = DEV_SET_FILE): Labelled[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const m = JSON.parse(l) as { text: string; level: string; set: string };
      if (!isLevel(m.level)) throw new LabelFileError(`eval-set.jsonl:${i + 1}: bad level ${m.level}`);
      return { level: m.level, text: m.text, set: m.set, source: 'eval-set' };
    });
}

/** The untouched evaluation set, or [] while it does not exist. Its lines are never printed. */
export function loadHoldout(file = HOLDOUT_FILE): Labelled[] {
  if (!existsSync(file)) return [];
  return readTsv(file, 3).map((m) => ({ ...m, source: 'holdout' }));
}

/** FNV-1a over the UTF-16 code units: a stable hash for splits (not for security). */
export function stableHash(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Seeded generator (mulberry32) for deterministic shuffles. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CV_SEED = 0x111c0de;
export const CV_FRACTION = 0.15;

/** The fixed 15% cross-validation split: by a seeded hash of the text, so adding files does not reshuffle it. */
export function isCrossValidation(text: string): boolean {
  return stableHash(text.normalize('NFC'), CV_SEED) / 4294967296 < CV_FRACTION;
}
