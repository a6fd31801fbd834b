/**
 * Where a person in trouble is, as far as emergency numbers are concerned: in Vietnam (113, 111,
 * 115 work) or abroad (they do not; the citizen-protection line and embassies do). Read from what
 * they write ("bị nhốt ở cpc", "I'm in Myawaddy"), from their report's place, or from the one-tap
 * question. Stored on the conversation as "vn", "abroad" or "abroad:KH".
 */
import { foreignPlace } from '../../flows/data/places.js';
import { fold } from '../../text/fold.js';

export type Whereabouts = { where: 'vn' } | { where: 'abroad'; country?: string };

const IN_VIETNAM = /\b(o|tai|dang o|van o|da ve)\s+(viet nam|vn|vietnam|trong nuoc|nha)\b|\bin vietnam\b|\bback home\b/;

/** What a message says about where the writer (or the person they write about) is; undefined when it says nothing. */
export function whereaboutsFromText(text: string): Whereabouts | undefined {
  const country = foreignPlace(text);
  if (country !== undefined) return country ? { where: 'abroad', country } : { where: 'abroad' };
  if (IN_VIETNAM.test(` ${fold(text)} `)) return { where: 'vn' };
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
