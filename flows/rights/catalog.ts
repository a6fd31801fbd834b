/** FAQ topics and which questions (ids in locales/<lng>/faq.json "items") belong to each. */
export const FAQ_TOPICS: Record<string, string[]> = {
  victim: ['what_is_trafficking', 'who_is_victim', 'under_18', 'presumed_victim', 'need_proof', 'sexual_exploitation', 'fetus'],
  support: ['support_overview', 'essential_needs', 'travel_home', 'medical', 'psychological', 'legal_aid', 'education_training', 'loans', 'accommodation', 'interpretation'],
  verification: ['rights_during_verification', 'rights_overview'],
  privacy: ['privacy', 'protection', 'closed_trial', 'threats', 'discrimination'],
  foreigners_children: ['foreigners', 'abroad', 'children'],
  report: ['how_to_report', 'report_others', 'anonymous'],
  hotline: ['hotline', 'the_law'],
};

export const FAQ_IDS = Object.values(FAQ_TOPICS).flat();

export function topicOf(id: string): string | undefined {
  return Object.keys(FAQ_TOPICS).find((t) => FAQ_TOPICS[t]!.includes(id));
}
