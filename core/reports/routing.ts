/**
 * Referral suggestion for counsellors: which competent authority types fit a report, from its
 * category and place. Based on Art. 27 of Law 53/2024/QH15 as amended in 2025 (report to the
 * commune People's Committee, police, Border Guard or Coast Guard; the commune notifies the
 * provincial health agency, i.e. social services) and seed 004 (Border Guard in border areas).
 * A suggestion only: a counsellor decides.
 */
import { ABROAD, provinceBySlug } from '../../flows/data/provinces.js';

export const REPORT_CATEGORIES = [
  'forced_labour',
  'sexual_exploitation',
  'scam_compound',
  'forced_marriage',
  'organ_fetus',
  'child_at_risk',
  'missing_person',
  'job_offer',
  'other',
] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export type AuthorityType = 'police' | 'border_guard' | 'coast_guard' | 'local_authority' | 'social_services';
const ORDER: AuthorityType[] = ['police', 'border_guard', 'coast_guard', 'local_authority', 'social_services'];

/** Categories that usually cross a border (scam compounds in Cambodia/Myanmar/Laos, brides to China). */
const CROSS_BORDER: ReadonlySet<string> = new Set(['scam_compound', 'forced_marriage', 'organ_fetus']);
/** Victims needing care and reception (Chapter V support through the provincial health agency). */
const CARE: ReadonlySet<string> = new Set(['sexual_exploitation', 'forced_marriage', 'child_at_risk', 'organ_fetus', 'forced_labour', 'scam_compound']);

export function routeReport(input: { category: string; province?: string | null; minors?: boolean }): AuthorityType[] {
  const out = new Set<AuthorityType>(['police', 'local_authority']);
  const province = input.province && input.province !== ABROAD ? provinceBySlug(input.province) : undefined;
  if (input.province === ABROAD) out.add('border_guard');
  if (province?.border?.length && (CROSS_BORDER.has(input.category) || input.category === 'missing_person' || input.category === 'job_offer')) out.add('border_guard');
  if (province?.coastal && (input.category === 'forced_labour' || input.category === 'missing_person')) out.add('coast_guard');
  if (CARE.has(input.category) || input.minors) out.add('social_services');
  if (input.category === 'job_offer' && !province?.border?.length && input.province !== ABROAD) out.delete('local_authority');
  return ORDER.filter((a) => out.has(a));
}
