/**
 * A minimal phrase detector that keeps the risk hook honest until the full lexicon-based detector
 * (core/risk/assess.ts) replaces it. Matches a handful of unmistakable cries for help.
 */
import { fold } from '../text/fold.js';
import type { RiskAssessment, RiskDetector } from './types.js';

const EMERGENCY_PHRASES = ['cuu toi', 'cuu em', 'cuu voi', 'help me', 'sos', 'i am in danger', 'dang gap nguy hiem'];

export const basicDetector: RiskDetector = {
  assess(text: string): RiskAssessment {
    const folded = ` ${fold(text)} `;
    const hit = EMERGENCY_PHRASES.find((p) => folded.includes(` ${p} `));
    if (!hit) return { level: 'none', categories: [], matches: [] };
    const start = folded.indexOf(` ${hit} `);
    return {
      level: 'emergency',
      categories: ['immediate_danger'],
      matches: [{ id: `basic.${hit.replace(/ /g, '_')}`, category: 'immediate_danger', level: 'emergency', start, end: start + hit.length }],
    };
  },
};
