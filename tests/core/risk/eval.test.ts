/**
 * The evaluation sets and the gates. The gates that count are on the untouched set (holdout.tsv,
 * written before any training and never tuned on): the combined detector must rate ≥98% of emergencies
 * and ≥95% of high messages at high or above, and at most 5% of harmless messages at high or above.
 * An average can hide a weak slice (a slice of many easy messages lifts it), so every slice (vi,
 * vi-plain, teen, en, mixed) must also pass its own floor, and the failure message shows the recall of
 * every slice. The project's own set (used while developing) must pass the same gates.
 */
import { describe, expect, it } from 'vitest';
import { GATES, failedGates, type EscalationKey } from '../../../core/risk/training/metrics.js';
import { loadDevSet, loadHoldout } from '../../../core/risk/training/data.js';
import { detectors, evaluateSet, evaluateSlices, formatSlices } from './eval.js';

/**
 * Floors every slice must meet on its own. Slices are small (8 to 48 messages of a level), so a floor
 * allows about one miss in ten; the whole set's gates (GATES) stay strict.
 */
const SLICE_GATES: { key: EscalationKey; min?: number; max?: number }[] = [
  { key: 'emergency→high', min: 0.9 },
  { key: 'high→high', min: 0.85 },
  { key: 'elevated→elevated', min: 0.85 },
  { key: 'none→high', max: 0.12 },
];

describe('risk evaluation sets', () => {
  const dev = loadDevSet();
  const holdout = loadHoldout();
  const d = detectors();

  it('the project set has at least 300 labelled messages across vi, vi without diacritics, teen-speak, en and hard negatives', () => {
    expect(dev.length).toBeGreaterThanOrEqual(300);
    for (const name of ['vi', 'vi-plain', 'teen', 'en']) expect(dev.filter((m) => m.set === name).length).toBeGreaterThan(30);
    expect(dev.filter((m) => m.level === 'none').length).toBeGreaterThan(80);
  });

  it('the untouched set exists with at least 300 messages of every level, and every slice has emergencies, high and harmless messages', () => {
    expect(holdout.length).toBeGreaterThanOrEqual(300);
    for (const level of ['none', 'elevated', 'high', 'emergency'] as const) expect(holdout.filter((m) => m.level === level).length).toBeGreaterThan(20);
    const slices = new Set(holdout.map((m) => m.set));
    expect([...slices].sort()).toEqual(['en', 'mixed', 'teen', 'vi', 'vi-plain']);
    for (const slice of slices) {
      for (const level of ['none', 'high', 'emergency'] as const) {
        expect(holdout.filter((m) => m.set === slice && m.level === level).length, `${slice} ${level}`).toBeGreaterThanOrEqual(8);
      }
    }
  });

  for (const [name, set] of [
    ['untouched set', holdout],
    ['project set', dev],
  ] as const) {
    it(`${name}: emergency→≥high ≥ 0.98, high→≥high ≥ 0.95, none→≥high ≤ 0.05 over the whole set`, () => {
      const { combined } = evaluateSet(set, d);
      const table = formatSlices(evaluateSlices(set, d));
      expect(failedGates(combined, GATES), table).toEqual([]);
      // failedGates skips a rate it cannot compute: the set must have every level the gates name.
      for (const g of GATES) expect(Number.isNaN(combined.escalation[g.key]), g.key).toBe(false);
    });

    it(`${name}: every slice on its own: emergency→≥high ≥ 0.9, high→≥high ≥ 0.85, elevated→≥elevated ≥ 0.85, none→≥high ≤ 0.12`, () => {
      const slices = evaluateSlices(set, d);
      const table = formatSlices(slices);
      const failed = [...slices].flatMap(([slice, f]) => failedGates(f, SLICE_GATES).map((g) => `${slice}: ${g}`));
      expect(failed, `recall per slice:\n${table}`).toEqual([]);
    });
  }

  it('the slice gate names a slice the detector misses, and the table shows its recall', () => {
    // The untouched set's emergencies, rated by a detector that misses every one of the mixed slice.
    const emergencies = holdout.filter((m) => m.level === 'emergency');
    const missed = new Set(emergencies.filter((m) => m.set === 'mixed').map((m) => m.text));
    const blind = { ...d, combined: { assess: (t: string) => (missed.has(t) ? { level: 'none' as const, categories: [], matches: [] } : d.combined.assess(t)) } };
    const slices = evaluateSlices(emergencies, blind);
    expect(slices.get('mixed')!.escalation['emergency→high']).toBe(0);
    expect(failedGates(slices.get('mixed')!, SLICE_GATES)).toEqual([expect.stringMatching(/^emergency→high 0\.000/)]);
    expect(formatSlices(slices)).toMatch(/mixed\s+\d+\s+0\.000/);
  });
});
