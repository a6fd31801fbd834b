/**
 * Where a person in trouble is, as far as emergency numbers are concerned: in Vietnam (113, 111,
 * 115 work) or abroad (they do not; the citizen-protection line and embassies do). Read from what
 * they write ("bị nhốt ở cpc", "I'm in Myawaddy"), from their report's place, or from the one-tap
 * question. Stored on the conversation as "vn", "abroad" or "abroad:KH".
 */
import { fold } from '../../text/fold.js';

export type Whereabouts = { where: 'vn' } | { where: 'abroad'; country?: string };

/** Place names in folded form (no diacritics, lower case) → ISO country code ("" = abroad, country unknown). */
const FOREIGN_PLACES: [RegExp, string][] = [
  [/\b(campuchia|cam pu chia|cambodia|cambodge|kampuchea|cpc|phnom ?penh|nam vang|sihanoukville|sihanouk|xi ha nuc|sihanoukvile|bavet|ba vet|poipet|kampot|koh kong|svay rieng|chrey thom|o smach)\b/, 'KH'],
  [/\b(myanmar|mien dien|burma|myawaddy|myawadi|kk ?park|shwe kokko|tachileik|mong la|wa state)\b/, 'MM'],
  [/(?:\b(?:sang|qua|o|ben|tai|den|toi|tu)\s+lao\b(?!\s+dong)|\blaos\b|\bvientiane\b|\bviang chan\b|\bbokeo\b|\bdac khu kinh te\b)/, 'LA'],
  [/\b(thai lan|thailand|bangkok|mae sot|pattaya)\b/, 'TH'],
  [/\b(trung quoc|china|quang tay|van nam|quang dong|ha khau|bang tuong|dong hung|pingxiang|guangxi|yunnan)\b|(?:\b(?:sang|qua|o|ben|tai)\s+tq\b)/, 'CN'],
  [/\b(malaysia|ma lai|kuala lumpur)\b/, 'MY'],
  [/\b(dubai|uae|a rap)\b/, 'AE'],
  [/\b(philippines|phi lip pin|manila)\b/, 'PH'],
  [/\b(tam giac vang|golden triangle|nuoc ngoai|abroad|overseas|ngoai nuoc|xu nguoi)\b/, ''],
];

const IN_VIETNAM = /\b(o|tai|dang o|van o|da ve)\s+(viet nam|vn|vietnam|trong nuoc|nha)\b|\bin vietnam\b|\bback home\b/;

/** What a message says about where the writer (or the person they write about) is; undefined when it says nothing. */
export function whereaboutsFromText(text: string): Whereabouts | undefined {
  const folded = ` ${fold(text)} `;
  for (const [pattern, country] of FOREIGN_PLACES) {
    if (pattern.test(folded)) return country ? { where: 'abroad', country } : { where: 'abroad' };
  }
  if (IN_VIETNAM.test(folded)) return { where: 'vn' };
  return undefined;
}

export function encodeWhereabouts(w: Whereabouts): string {
  return w.where === 'vn' ? 'vn' : w.country ? `abroad:${w.country}` : 'abroad';
}

export function decodeWhereabouts(stored: string | null | undefined): Whereabouts | undefined {
  if (!stored) return undefined;
  if (stored === 'vn') return { where: 'vn' };
  if (stored === 'abroad') return { where: 'abroad' };
  const match = /^abroad:([A-Z]{2})$/.exec(stored);
  return match ? { where: 'abroad', country: match[1]! } : undefined;
}

/** A newer reading replaces an older one, but "abroad" never loses a known country to a vaguer "abroad". */
export function mergeWhereabouts(old: Whereabouts | undefined, next: Whereabouts | undefined): Whereabouts | undefined {
  if (!next) return old;
  if (next.where === 'abroad' && !next.country && old?.where === 'abroad' && old.country) return old;
  return next;
}
