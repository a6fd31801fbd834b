/** The risk detector the runtime uses by default. */
import { basicDetector } from './basic-detector.js';
import type { RiskDetector } from './types.js';

export const defaultDetector: RiskDetector = basicDetector;
export * from './types.js';
