/**
 * The "spot the signs" checklist (vn-facts.md section 4): short yes/no questions. Strong signs
 * (documents kept, no contact with family, crossing through unofficial routes) mean high risk alone.
 */
export const SIGN_QUESTIONS = ['high_pay', 'no_skills', 'abroad_no_contract', 'online_only', 'pays_travel_or_fees', 'secret_or_rush', 'border_route', 'vague_job', 'documents_kept', 'no_family_contact'] as const;
export const STRONG_SIGNS: ReadonlySet<string> = new Set(['documents_kept', 'no_family_contact', 'border_route']);

export type SignAnswer = 'yes' | 'no' | 'unsure';

export function riskLevel(answers: Record<string, SignAnswer>): 'high' | 'medium' | 'low' {
  const yes = Object.entries(answers).filter(([, a]) => a === 'yes').map(([q]) => q);
  const unsure = Object.values(answers).filter((a) => a === 'unsure').length;
  if (yes.some((q) => STRONG_SIGNS.has(q)) || yes.length >= 3) return 'high';
  if (yes.length >= 1 || unsure >= 3) return 'medium';
  return 'low';
}
