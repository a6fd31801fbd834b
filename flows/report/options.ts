/** Choices of the report flow (ids and i18n keys only). */
import type { ChoiceSpec } from '../types.js';

export const CATEGORIES = ['forced_labour', 'sexual_exploitation', 'scam_compound', 'forced_marriage', 'organ_fetus', 'child_at_risk', 'missing_person', 'job_offer', 'other'] as const;
export const WHEN = ['today', 'week', 'month', 'older', 'ongoing', 'unknown'] as const;
export const PEOPLE_COUNT = ['one', 'few', 'many', 'unknown'] as const;
export const PEOPLE_AGE = ['child', 'adult', 'both', 'unknown'] as const;
export const PEOPLE_GENDER = ['female', 'male', 'mixed', 'unknown'] as const;
export const CONTACT_METHODS = ['facebook', 'zalo', 'telegram', 'tiktok', 'phone', 'in_person', 'other'] as const;
export const COUNTRIES = ['KH', 'MM', 'LA', 'CN', 'TH', 'MY', 'other'] as const;

export const list = (prefix: string, keyPrefix: string, ids: readonly string[]): ChoiceSpec[] => ids.map((id) => ({ id: `${prefix}.${id}`, key: `${keyPrefix}.${id}` }));
