/**
 * `npm run eval:risk [-- --misses]`: precision and recall per level and the escalation rates, for the
 * rules alone, the model alone and the combined detector, on the project's evaluation set
 * (eval-set.jsonl, used while developing) and on the untouched evaluation set (holdout.tsv, written
 * apart and never tuned on).
 *
 * `--misses` lists the project set's misses. The untouched set's messages are never printed unless
 * `--show-holdout-misses` is given explicitly: looking at them would make the set no longer untouched.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rulesDetector } from '../../../core/risk/assess.js';
import { combineDetectors } from '../../../core/risk/detector.js';
import { defaultModel } from '../../../core/risk/model/model.js';
import { loadDevSet, loadHoldout, type Labelled } from '../../../core/risk/training/data.js';
import { AIMS, failedGates, figures, fmt, formatFigures, GATES, type Figures } from '../../../core/risk/training/metrics.js';
import type { RiskDetector, RiskLevelName } from '../../../core/risk/types.js';

export interface Evaluated {
  rules: Figures;
  model: Figures;
  combined: Figures;
  misses: { text: string; expected: RiskLevelName; got: RiskLevelName; set?: string }[];
}

export function detectors(): { rules: RiskDetector; model: RiskDetector; combined: RiskDetector } {
  const rules = rulesDetector();
  const model = defaultModel();
  const modelOnly: RiskDetector = {
    assess: (t) => {
      const { signals } = rules.analyse(t);
      return { level: model ? model.level(model.scores(t, signals), signals) : 'none', categories: [], matches: [] };
    },
  };
  return { rules, model: modelOnly, combined: combineDetectors(rules, model) };
}

export function evaluateSet(set: readonly Labelled[], d = detectors()): Evaluated {
  const rate = (det: RiskDetector) => set.map((m) => ({ m, expected: m.level, got: det.assess(m.text).level }));
  const combined = rate(d.combined);
  return {
    rules: figures(rate(d.rules)),
    model: figures(rate(d.model)),
    combined: figures(combined),
    misses: combined.filter((r) => r.got !== r.expected).map((r) => ({ text: r.m.text, expected: r.expected, got: r.got, ...(r.m.set ? { set: r.m.set } : {}) })),
  };
}

/** The combined detector's figures for each slice (vi, vi-plain, teen, en, mixed...), so a weak slice shows even when the average is fine. */
export function evaluateSlices(set: readonly Labelled[], d = detectors()): Map<string, Figures> {
  const slices = new Map<string, Labelled[]>();
  for (const m of set) {
    const name = m.set ?? '(none)';
    slices.set(name, [...(slices.get(name) ?? []), m]);
  }
  return new Map([...slices].sort(([a], [b]) => a.localeCompare(b)).map(([name, messages]) => [name, evaluateSet(messages, d).combined]));
}

/** One line per slice: its size and the escalation rates (recall of ≥high for emergency and high, false ≥high for none). */
export function formatSlices(slices: Map<string, Figures>): string {
  const lines = ['  slice        total  emergency→≥high  high→≥high  elevated→≥elevated  none→≥high'];
  for (const [name, f] of slices) {
    const e = f.escalation;
    lines.push(
      `  ${name.padEnd(11)} ${String(f.total).padStart(6)}  ${fmt(e['emergency→high']).padStart(15)}  ${fmt(e['high→high']).padStart(10)}  ${fmt(e['elevated→elevated']).padStart(18)}  ${fmt(e['none→high']).padStart(10)}`,
    );
  }
  return lines.join('\n');
}

function print(title: string, e: Evaluated, slices?: Map<string, Figures>) {
  console.log(`\n== ${title}`);
  console.log(formatFigures('rules', e.rules));
  console.log(formatFigures('model', e.model));
  console.log(formatFigures('combined', e.combined));
  if (slices) console.log(`combined, per slice\n${formatSlices(slices)}`);
  const gates = failedGates(e.combined, GATES);
  const aims = failedGates(e.combined, AIMS);
  console.log(`  gates: ${gates.length ? `FAILED ${gates.join('; ')}` : 'passed'}${aims.length ? `; aims not met: ${aims.join('; ')}` : ''}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const d = detectors();
  const devSet = loadDevSet();
  const dev = evaluateSet(devSet, d);
  print('project evaluation set (tests/core/risk/eval-set.jsonl)', dev, evaluateSlices(devSet, d));
  const holdoutSet = loadHoldout();
  const holdout = holdoutSet.length ? evaluateSet(holdoutSet, d) : undefined;
  if (holdout) print(`untouched evaluation set (tests/core/risk/holdout.tsv)`, holdout, evaluateSlices(holdoutSet, d));
  else console.log('\n== untouched evaluation set: tests/core/risk/holdout.tsv not present');
  if (args.includes('--misses')) {
    console.log('\nproject set misses (expected → got):');
    for (const m of dev.misses) console.log(`  ${m.expected} → ${m.got} [${m.set}] ${m.text}`);
    if (holdout) {
      if (args.includes('--show-holdout-misses')) {
        console.log('\nuntouched set misses (it is no longer untouched once read):');
        for (const m of holdout.misses) console.log(`  ${m.expected} → ${m.got} [${m.set}] ${m.text}`);
      } else {
        console.log(`\nuntouched set: ${holdout.misses.length} misses, not shown (--show-holdout-misses would show them and spoil the set)`);
      }
    }
  }
}
