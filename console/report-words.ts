/**
 * A report's ids in words, server side (for the printable referral summary): field names, labelled
 * answers, places, authorities, dates in the reader's locale. The same words as the console page
 * (locales/<lng>/console.json, report.json) so nothing reaches an authority as an internal id.
 */
import { translate } from '../core/i18n/index.js';
import { provinceName } from '../flows/data/provinces.js';

type Lng = 'vi' | 'en';

/** How each draft field's value is labelled (as console/public/lib/report-fields.js). */
const FIELDS: Record<string, string> = {
  category: 'report:category',
  details: 'text',
  province: 'place',
  country: 'country',
  when: 'report:when',
  peopleCount: 'report:peopleCount',
  peopleAge: 'report:peopleAge',
  peopleGender: 'report:peopleGender',
  suspects: 'text',
  contactMethod: 'report:contactMethod',
  evidence: 'text',
  inDanger: 'boolean',
  contactConsent: 'boolean',
  contact: 'text',
};

const known = (lng: Lng, key: string): string | undefined => {
  const value = translate(lng, key);
  return value && value !== key && !value.endsWith(key.split(':').pop()!) ? value : undefined;
};

export function placeWords(lng: Lng, value: string | null | undefined): string {
  if (!value) return '—';
  if (value === 'abroad' || value === 'unknown') return translate(lng, `report:place.${value}`);
  const province = provinceName(value, lng);
  if (province && province !== value) return province;
  const country = known(lng, `report:country.${value}`);
  if (country) return country;
  if (/^[A-Z]{2}$/.test(value)) return new Intl.DisplayNames([lng === 'en' ? 'en-GB' : 'vi-VN'], { type: 'region' }).of(value) ?? value;
  return value;
}

export function fieldRows(lng: Lng, body: Record<string, unknown>): [string, string][] {
  return Object.keys(FIELDS)
    .filter((k) => body[k] !== null && body[k] !== undefined && body[k] !== '')
    .map((k): [string, string] => {
      const kind = FIELDS[k]!;
      const value = body[k];
      const name = translate(lng, `console:reportFields.${k}`);
      if (kind === 'boolean' || typeof value === 'boolean') return [name, translate(lng, value ? 'console:common.yes' : 'console:common.no')];
      if (kind === 'place' || kind === 'country') return [name, placeWords(lng, String(value))];
      if (kind !== 'text') return [name, known(lng, `${kind}.${String(value)}`) ?? String(value)];
      return [name, String(value)];
    });
}

export const categoryWords = (lng: Lng, category: string) => known(lng, `report:category.${category}`) ?? category;
export const authorityWords = (lng: Lng, ids: string[]) => ids.map((a) => known(lng, `console:labels.authority.${a}`) ?? a).join(', ');
export const dateWords = (lng: Lng, at: Date, withTime = false) =>
  new Intl.DateTimeFormat(lng === 'en' ? 'en-GB' : 'vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}), timeZone: 'Asia/Ho_Chi_Minh' }).format(at);
