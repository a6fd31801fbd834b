/**
 * The risk detector the runtime uses by default: rule families over locales/<lng>/risk.json combined
 * with the committed statistical model (core/risk/model/model.json.gz), which can only raise the level.
 */
import { rulesDetector } from './assess.js';
import { combineDetectors } from './detector.js';
import { defaultModel } from './model/model.js';
import type { RiskDetector } from './types.js';

export const defaultDetector: RiskDetector = combineDetectors(rulesDetector(), defaultModel());
export { createDetector, lexiconDetector, rulesDetector, type RulesDetector } from './assess.js';
export { combineDetectors, MODEL_CATEGORY } from './detector.js';
export { normaliseText } from './normalise.js';
export * from './types.js';
