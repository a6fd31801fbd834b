/**
 * The combined risk detector: rule families (assess.ts) and the statistical model (model/model.ts), which
 * reads the text and what the rules saw (their signals).
 * The final level is the higher of the two; the model can only raise a level, never lower it. When the
 * model alone sets the level the assessment says so (source 'model') and carries the category 'model',
 * so the risk event and the console show that no rule matched.
 */
import type { RulesDetector } from './assess.js';
import { defaultModel, type RiskModel } from './model/model.js';
import { normaliseText } from './normalise.js';
import { riskRank, type RiskAssessment, type RiskDetector } from './types.js';

export const MODEL_CATEGORY = 'model';

const round = (x: number) => Math.round(x * 1000) / 1000;

export function combineDetectors(rules: RulesDetector, model: RiskModel | null): RiskDetector {
  if (!model) return rules;
  return {
    assess(text: string): RiskAssessment {
      if (!text) return rules.assess(text);
      const { assessment: ruled, signals, normalised } = rules.analyse(text);
      const scores = model.scoresNormalised(normalised, signals);
      const modelLevel = model.level(scores, signals);
      const modelScores = { elevated: round(scores.elevated), high: round(scores.high), emergency: round(scores.emergency) };
      const r = riskRank(ruled.level);
      const m = riskRank(modelLevel);
      if (m <= r) {
        const source = ruled.level === 'none' ? undefined : m === r ? 'both' : 'rules';
        return { ...ruled, rulesLevel: ruled.level, modelScores, ...(source ? { source } : {}) };
      }
      const categories = ruled.categories.length ? [...ruled.categories] : [];
      if (!categories.includes(MODEL_CATEGORY)) categories.push(MODEL_CATEGORY);
      return { ...ruled, level: modelLevel, categories: categories.sort(), source: 'model', rulesLevel: ruled.level, modelScores };
    },
  };
}

export { normaliseText, defaultModel };
