/** The training pipeline: label files, the deterministic trainer, thresholds, and the committed model file. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_FILE, MODEL_FORMAT, readModelFile } from '../../../core/risk/model/model.js';
import { sparseFeatures, windows, WINDOW } from '../../../core/risk/model/features.js';
import { HOLDOUT_FILE, LabelFileError, readTsv, trainingFiles, isCrossValidation } from '../../../core/risk/training/data.js';
import { trainHead, predict } from '../../../core/risk/training/logreg.js';
import { chooseThresholds, labelledItems, lexiconDigest, main, trainingDigest } from '../../../core/risk/training/train.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'risk-train-'));
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
};

describe('label files', () => {
  it('reads level<TAB>text, skipping comments and blank lines', () => {
    const file = write('ok.tsv', '# counsellor labels\n\nhigh\tchủ giữ hộ chiếu\nnone\txin chào\n');
    expect(readTsv(file).map((m) => [m.level, m.text, m.source])).toEqual([
      ['high', 'chủ giữ hộ chiếu', 'ok.tsv:3'],
      ['none', 'xin chào', 'ok.tsv:4'],
    ]);
  });

  it('rejects a bad line with its file and line number, never skipping it', () => {
    const file = write('bad.tsv', 'high\tok\nurgent\tem bị nhốt\n');
    expect(() => readTsv(file)).toThrow(LabelFileError);
    expect(() => readTsv(file)).toThrow(/bad\.tsv:2/);
  });

  it('--extra labels join the training messages; the same text with two labels keeps the higher one', () => {
    const base = labelledItems();
    const extra = write('extra.tsv', 'emergency\tChào ad\nhigh\ttụi nó giữ thẻ ngân hàng của em mấy tháng nay\n');
    const withExtra = labelledItems([extra]);
    expect(withExtra.items.length).toBe(base.items.length + 1);
    expect(withExtra.items.find((i) => i.normalised === 'chao ad')?.level).toBe('emergency');
    expect(withExtra.conflicts).toBeGreaterThan(base.conflicts);
  });

  it('the cross-validation split is a fixed ~15% of the training messages', () => {
    const { items } = labelledItems();
    const share = items.filter((i) => isCrossValidation(i.text)).length / items.length;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.18);
  });
});

describe('logistic heads', () => {
  const examples = ['cứu em', 'em bị nhốt', 'họ đánh em', 'xin chào', 'cảm ơn nhé', 'hôm nay trời đẹp'].map((t) => sparseFeatures(t, (1 << 12) - 1));
  const labels = Uint8Array.from([1, 1, 1, 0, 0, 0]);
  const options = { buckets: 1 << 12, epochs: 20, learningRate: 0.4, l2: 1e-4, seed: 7 };

  it('are deterministic: the same data and seed give the same weights', () => {
    const a = trainHead(examples, labels, options);
    const b = trainHead(examples, labels, options);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(a.bias).toBe(b.bias);
  });

  it('learn to separate the classes', () => {
    const head = trainHead(examples, labels, options);
    const p = examples.map((e) => predict(head, e));
    expect(Math.min(...p.slice(0, 3))).toBeGreaterThan(Math.max(...p.slice(3)));
  });
});

describe('thresholds', () => {
  it('stay within the false-escalation budgets on out-of-fold probabilities, counting what the rules already escalate', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      level: 'none' as const,
      rules: i < 1 ? ('high' as const) : ('none' as const),
      calm: false,
      p: { elevated: i / 100, high: i / 100, emergency: i / 200 },
    }));
    const t = chooseThresholds(items);
    const escalated = items.filter((i) => i.rules === 'high' || i.p.high >= t.high).length;
    expect(escalated / items.length).toBeLessThanOrEqual(0.02);
    expect(items.filter((i) => i.p.elevated >= t.elevated).length / items.length).toBeLessThanOrEqual(0.1);
  });
});

describe('features', () => {
  it('cut a long text into bounded, overlapping windows', () => {
    const text = 'em di lam o xuong may '.repeat(200);
    const parts = windows(text);
    expect(parts.length).toBeGreaterThan(5);
    for (const w of parts) expect(w.length).toBeLessThanOrEqual(WINDOW);
    expect(windows('xin chao')).toEqual(['xin chao']);
  });
});

describe('the committed model', () => {
  const file = readModelFile();

  it('is at most 1 MB gzipped and in the current format', () => {
    expect(statSync(MODEL_FILE).size).toBeLessThanOrEqual(1024 * 1024);
    expect(file.format).toBe(MODEL_FORMAT);
  });

  it('was trained from the committed training files and lexicons (run npm run risk:train after changing either)', () => {
    expect(file.training.lexicon).toBe(lexiconDigest());
    if (file.training.files.some((f) => f.startsWith('extra:'))) return; // trained with counsellor labels kept outside the repo
    expect(file.training.files).toEqual(trainingFiles().map((f) => path.basename(f)));
    expect(file.training.digest).toBe(trainingDigest(labelledItems().items));
  });
});

describe('the commands', () => {
  it('risk:train refuses unknown options before doing any work', async () => {
    await expect(main(['--bogus'])).rejects.toThrow(/unknown option/);
    await expect(main(['--extra'])).rejects.toThrow(/needs a file/);
  });

  it('eval:risk --misses lists the project set and never the untouched set', () => {
    const out = execFileSync('npx', ['tsx', 'tests/core/risk/eval.ts', '--misses'], { encoding: 'utf8' });
    expect(out).toContain('project evaluation set');
    expect(out).toContain('untouched evaluation set');
    expect(out).toMatch(/untouched set: \d+ misses, not shown/);
    const holdout = readFileSync(HOLDOUT_FILE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split('\t').slice(2).join(' ').trim());
    for (const text of holdout) expect(out.includes(text)).toBe(false);
  });
});
