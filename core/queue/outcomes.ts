/** How a counsellor ends a chat, as the hotline counts it (the console offers these). */
export const CLOSE_OUTCOMES = [
  'advice_given',
  'referred_police',
  'referred_border_guard',
  'referred_social_services',
  'referred_shelter',
  'referred_legal_aid',
  'report_filed',
  'no_action',
] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

/** Recorded when the counsellor gives the chat back to the bot without closing the case. */
export const HANDED_BACK = 'handed_back';

export function isCloseOutcome(value: string): value is CloseOutcome {
  return (CLOSE_OUTCOMES as readonly string[]).includes(value);
}
