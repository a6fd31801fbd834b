/** The risk detector the runtime uses by default: the lexicon detector over locales/<lng>/risk.json. */
import { lexiconDetector } from './assess.js';
import type { RiskDetector } from './types.js';

export const defaultDetector: RiskDetector = lexiconDetector();
export { createDetector, lexiconDetector } from './assess.js';
export * from './types.js';
