/**
 * Places outside Vietnam that people in trouble name ("bị nhốt ở cpc", "KK Park", "sang Lào"): the
 * country code (ISO 3166, "" when only "abroad" is known). Read on the folded text (text/fold.ts).
 * Used by the report's place question and by the emergency guidance (core/safety/whereabouts.ts).
 */
import { fold } from '../../text/fold.js';

const FOREIGN_PLACES: [RegExp, string][] = [
  [/\b(campuchia|cam pu chia|cambodia|cambodge|kampuchea|cpc|phnom ?penh|nam vang|sihanoukville|sihanouk|xi ha nuc|sihanoukvile|bavet|ba vet|poipet|kampot|koh kong|svay rieng|chrey thom|o smach)\b/, 'KH'],
  [/\b(myanmar|mien dien|burma|myawaddy|myawadi|kk ?park|shwe kokko|tachileik|mong la|wa state)\b/, 'MM'],
  [/(?:\b(?:sang|qua|o|ben|tai|den|toi|tu)\s+lao\b(?!\s+dong)|^lao$|\blaos\b|\bvientiane\b|\bviang chan\b|\bbokeo\b|\bdac khu kinh te\b)/, 'LA'],
  [/\b(thai lan|thailand|bangkok|mae sot|pattaya)\b/, 'TH'],
  [/\b(trung quoc|china|quang tay|van nam|quang dong|ha khau|bang tuong|dong hung|pingxiang|guangxi|yunnan)\b|(?:\b(?:sang|qua|o|ben|tai)\s+tq\b)|^tq$/, 'CN'],
  [/\b(malaysia|ma lai|kuala lumpur)\b/, 'MY'],
  [/\b(dubai|uae|a rap)\b/, 'AE'],
  [/\b(philippines|phi lip pin|manila)\b/, 'PH'],
  [/\b(tam giac vang|golden triangle|nuoc ngoai|abroad|overseas|ngoai nuoc|xu nguoi)\b/, ''],
];

/** The foreign place a text names: its country code ("" = abroad, country unknown), or undefined. */
export function foreignPlace(text: string): string | undefined {
  const folded = fold(text);
  for (const [pattern, country] of FOREIGN_PLACES) if (pattern.test(folded)) return country;
  return undefined;
}
