/**
 * The evaluation sets and the gates: on the untouched set (holdout.tsv) the combined detector must rate
 * ≥98% of emergencies and ≥95% of high messages at high or above, and at most 5% of harmless messages at
 * high or above. The project's own set must pass the same gates.
 */
import { describe, expect, it } from 'vitest';
import { loadDevSet, loadHoldout } from '../../../core/risk/training/data.js';
import { evaluateSet } from './eval.js';

describe('risk evaluation sets', () => {
  const dev = loadDevSet();
  const holdout = loadHoldout();

  it('the project set has at least 300 labelled messages across vi, vi without diacritics, teen-speak, en and hard negatives', () => {
    expect(dev.length).toBeGreaterThanOrEqual(300);
    for (const name of ['vi', 'vi-plain', 'teen', 'en']) expect(dev.filter((m) => m.set === name).length).toBeGreaterThan(30);
    expect(dev.filter((m) => m.level === 'none').length).toBeGreaterThan(80);
  });

  it('the untouched set exists with at least 300 messages of every level', () => {
    expect(holdout.length).toBeGreaterThanOrEqual(300);
    for (const level of ['none', 'elevated', 'high', 'emergency'] as const) expect(holdout.filter((m) => m.level === level).length).toBeGreaterThan(20);
  });

  for (const [name, set] of [
    ['untouched set', holdout],
    ['project set', dev],
  ] as const) {
    it(`${name}: emergency→≥high ≥ 0.98, high→≥high ≥ 0.95, none→≥high ≤ 0.05`, () => {
      const { combined } = evaluateSet(set);
      expect(combined.escalation['emergency→high']).toBeGreaterThanOrEqual(0.98);
      expect(combined.escalation['high→high']).toBeGreaterThanOrEqual(0.95);
      expect(combined.escalation['none→high']).toBeLessThanOrEqual(0.05);
    });
  }
});
