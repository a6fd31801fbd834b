/** The risk detector contract used by the runtime. The full detector lives in core/risk/assess.ts. */
export const RISK_LEVELS = ['none', 'elevated', 'high', 'emergency'] as const;
export type RiskLevelName = (typeof RISK_LEVELS)[number];

/** Where the detector's level came from. */
export type DetectorSource = 'rules' | 'model' | 'both';

export interface RiskMatch {
  /** Lexicon entry id, e.g. "vi.confinement.bi_nhot". */
  id: string;
  category: string;
  level: RiskLevelName;
  /** Character span in the normalised text; the text itself is never logged or stored here. */
  start: number;
  end: number;
}

export interface RiskAssessment {
  level: RiskLevelName;
  categories: string[];
  matches: RiskMatch[];
  /** Someone writing about another person (my sister, bạn em...). */
  thirdParty?: boolean;
  /**
   * What set the level (when it is not none). The detector gives 'rules', 'model' (the model alone raised
   * it above what the rules found) or 'both' (the same level); the runtime's risk memory may give
   * 'memory', 'accumulated' or 'flow' (core/runtime/risk-memory.ts).
   */
  source?: DetectorSource | 'memory' | 'accumulated' | 'flow';
  /** The level the rules alone gave (present when the model ran). */
  rulesLevel?: RiskLevelName;
  /** The model's probabilities for ≥elevated, ≥high and emergency (rounded to 3 decimals). */
  modelScores?: { elevated: number; high: number; emergency: number };
}

export interface RiskDetector {
  assess(text: string, locale?: string): RiskAssessment;
}

export function riskRank(level: RiskLevelName): number {
  return RISK_LEVELS.indexOf(level);
}

export const NO_RISK: RiskAssessment = { level: 'none', categories: [], matches: [] };
