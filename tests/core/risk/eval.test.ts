/** The labelled set: escalation recall must stay at or above 0.95 for emergency and for high. */
import { describe, expect, it } from 'vitest';
import { lexiconDetector } from '../../../core/risk/assess.js';
import { evaluate, loadEvalSet } from './eval.js';

describe('risk evaluation set', () => {
  const set = loadEvalSet();
  const report = evaluate(lexiconDetector(), set);

  it('has at least 300 labelled messages across vi, vi without diacritics, teen-speak, en and hard negatives', () => {
    expect(set.length).toBeGreaterThanOrEqual(300);
    for (const name of ['vi', 'vi-plain', 'teen', 'en']) expect(set.filter((m) => m.set === name).length).toBeGreaterThan(30);
    expect(set.filter((m) => m.level === 'none').length).toBeGreaterThan(80);
  });

  it('catches emergencies and high-risk messages (recall ≥ 0.95)', () => {
    expect(report.escalationRecall.emergency).toBeGreaterThanOrEqual(0.95);
    expect(report.escalationRecall.high).toBeGreaterThanOrEqual(0.95);
  });

  it('does not escalate harmless messages (precision of "none" ≥ 0.9, no hard negative at high or above)', () => {
    expect(report.perLevel.none.recall).toBeGreaterThanOrEqual(0.9);
    const escalatedNegatives = report.misses.filter((m) => m.expected === 'none' && (m.got === 'high' || m.got === 'emergency'));
    expect(escalatedNegatives).toEqual([]);
  });
});
