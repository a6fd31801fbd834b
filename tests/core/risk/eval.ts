/**
 * Evaluates the risk detector on the labelled set (eval-set.jsonl): precision and recall per level,
 * and the escalation recall the product relies on. `npm run eval:risk` prints the table.
 *
 * Definitions: precision/recall per level compare exact levels. "Escalation recall" for high counts
 * a high message as caught when the detector says high or emergency (both reach a counsellor at the
 * default RISK_HANDOFF_LEVEL); for emergency only emergency counts (the user must get the numbers).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexiconDetector } from '../../../core/risk/assess.js';
import { RISK_LEVELS, riskRank, type RiskDetector, type RiskLevelName } from '../../../core/risk/types.js';

export interface LabelledMessage {
  text: string;
  level: RiskLevelName;
  set: string;
}

export interface EvalReport {
  total: number;
  perLevel: Record<RiskLevelName, { support: number; precision: number; recall: number }>;
  escalationRecall: { emergency: number; high: number };
  misses: { text: string; expected: RiskLevelName; got: RiskLevelName; set: string }[];
  perSet: Record<string, { total: number; exact: number }>;
}

export function loadEvalSet(file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'eval-set.jsonl')): LabelledMessage[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledMessage);
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

export function evaluate(detector: RiskDetector, set: LabelledMessage[]): EvalReport {
  const results = set.map((m) => ({ ...m, got: detector.assess(m.text).level }));
  const perLevel = {} as EvalReport['perLevel'];
  for (const level of RISK_LEVELS) {
    const predicted = results.filter((r) => r.got === level);
    const actual = results.filter((r) => r.level === level);
    const correct = results.filter((r) => r.level === level && r.got === level);
    perLevel[level] = { support: actual.length, precision: ratio(correct.length, predicted.length), recall: ratio(correct.length, actual.length) };
  }
  const emergency = results.filter((r) => r.level === 'emergency');
  const high = results.filter((r) => r.level === 'high');
  const perSet: EvalReport['perSet'] = {};
  for (const r of results) {
    const s = (perSet[r.set] ??= { total: 0, exact: 0 });
    s.total++;
    if (r.got === r.level) s.exact++;
  }
  return {
    total: results.length,
    perLevel,
    escalationRecall: {
      emergency: ratio(emergency.filter((r) => r.got === 'emergency').length, emergency.length),
      high: ratio(high.filter((r) => riskRank(r.got) >= riskRank('high')).length, high.length),
    },
    misses: results.filter((r) => r.got !== r.level).map((r) => ({ text: r.text, expected: r.level, got: r.got, set: r.set })),
    perSet,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = evaluate(lexiconDetector(), loadEvalSet());
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
  console.log(`risk detector on ${report.total} labelled messages`);
  console.log('level       support  precision  recall');
  for (const level of RISK_LEVELS) {
    const r = report.perLevel[level];
    console.log(`${level.padEnd(11)} ${String(r.support).padStart(7)}  ${pct(r.precision)}   ${pct(r.recall)}`);
  }
  console.log(`escalation recall: emergency ${pct(report.escalationRecall.emergency)}, high-or-above ${pct(report.escalationRecall.high)}`);
  for (const [name, s] of Object.entries(report.perSet)) console.log(`set ${name.padEnd(9)} ${s.exact}/${s.total} exact`);
  if (process.argv.includes('--misses')) for (const m of report.misses) console.log(`  ${m.expected} → ${m.got} [${m.set}] ${m.text}`);
}
