/** FAQ topics and which questions (ids in locales/<lng>/faq.json "items") belong to each. */
export const FAQ_TOPICS: Record<string, string[]> = {
  victim: ['what_is_trafficking', 'who_is_victim', 'under_18', 'presumed_victim', 'need_proof', 'sexual_exploitation', 'fetus'],
  support: ['support_overview', 'essential_needs', 'travel_home', 'medical', 'psychological', 'education_training', 'loans', 'accommodation', 'refuse_or_choose', 'interpretation'],
  justice: ['legal_aid', 'compensation', 'punished_forced', 'passport_papers', 'closed_trial'],
  verification: ['rights_during_verification', 'rights_overview'],
  privacy: ['privacy', 'protection', 'threats', 'discrimination'],
  foreigners_children: ['foreigners', 'abroad', 'abroad_now', 'children'],
  report: ['how_to_report', 'after_report', 'report_others', 'anonymous'],
  hotline: ['hotline', 'the_law'],
};

export const FAQ_IDS = Object.values(FAQ_TOPICS).flat();

export function topicOf(id: string): string | undefined {
  return Object.keys(FAQ_TOPICS).find((t) => FAQ_TOPICS[t]!.includes(id));
}
