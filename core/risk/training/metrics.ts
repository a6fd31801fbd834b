/**
 * Figures for a risk detector on labelled messages: precision and recall per level, and the
 * escalation rates the product is judged by (a message "reaches" a level when rated at or above it).
 */
import { RISK_LEVELS, riskRank, type RiskLevelName } from '../types.js';

export interface Rated {
  expected: RiskLevelName;
  got: RiskLevelName;
}

export const ESCALATIONS = [
  ['emergency', 'high'],
  ['emergency', 'emergency'],
  ['high', 'high'],
  ['elevated', 'elevated'],
  ['none', 'elevated'],
  ['none', 'high'],
] as const satisfies readonly (readonly [RiskLevelName, RiskLevelName])[];
export type EscalationKey = `${(typeof ESCALATIONS)[number][0]}→${(typeof ESCALATIONS)[number][1]}`;

export interface Figures {
  total: number;
  perLevel: Record<RiskLevelName, { support: number; precision: number; recall: number }>;
  /** Share of messages labelled `from` rated at `to` or above, e.g. "emergency→high". */
  escalation: Record<EscalationKey, number>;
}

const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);

export function figures(rated: readonly Rated[]): Figures {
  const perLevel = {} as Figures['perLevel'];
  for (const level of RISK_LEVELS) {
    const predicted = rated.filter((r) => r.got === level).length;
    const actual = rated.filter((r) => r.expected === level).length;
    const correct = rated.filter((r) => r.expected === level && r.got === level).length;
    perLevel[level] = { support: actual, precision: ratio(correct, predicted), recall: ratio(correct, actual) };
  }
  const escalation = {} as Figures['escalation'];
  for (const [from, to] of ESCALATIONS) {
    const pool = rated.filter((r) => r.expected === from);
    escalation[`${from}→${to}`] = ratio(pool.filter((r) => riskRank(r.got) >= riskRank(to)).length, pool.length);
  }
  return { total: rated.length, perLevel, escalation };
}

/** The gates a model must pass to be written, and the tests on the untouched set. */
export const GATES: { key: EscalationKey; min?: number; max?: number }[] = [
  { key: 'emergency→high', min: 0.98 },
  { key: 'high→high', min: 0.95 },
  { key: 'none→high', max: 0.05 },
];
/** Aims checked by the outside evaluation; reported, not gating. */
export const AIMS: { key: EscalationKey; min?: number; max?: number }[] = [
  { key: 'emergency→emergency', min: 0.9 },
  { key: 'none→elevated', max: 0.15 },
];

export function failedGates(f: Figures, gates = GATES): string[] {
  return gates
    .filter((g) => {
      const v = f.escalation[g.key];
      if (Number.isNaN(v)) return false;
      return (g.min !== undefined && v < g.min) || (g.max !== undefined && v > g.max);
    })
    .map((g) => `${g.key} ${fmt(f.escalation[g.key])} (${g.min !== undefined ? `≥ ${g.min}` : `≤ ${g.max}`})`);
}

export const fmt = (x: number) => (Number.isNaN(x) ? '  n/a' : x.toFixed(3));

/** A compact table: one row per level, then the escalation rates. */
export function formatFigures(title: string, f: Figures): string {
  const lines = [`${title} (${f.total} messages)`, '  level       support  precision  recall'];
  for (const level of RISK_LEVELS) {
    const r = f.perLevel[level];
    lines.push(`  ${level.padEnd(11)} ${String(r.support).padStart(7)}  ${fmt(r.precision).padStart(9)}  ${fmt(r.recall).padStart(6)}`);
  }
  lines.push(`  escalation: ${ESCALATIONS.map(([a, b]) => `${a}→≥${b} ${fmt(f.escalation[`${a}→${b}`])}`).join(', ')}`);
  return lines.join('\n');
}
