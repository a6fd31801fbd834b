// A report's fields (the report flow's draft) in words: each field's name and its value labelled.
import { t, label, place } from './i18n.js';

/** Field → how its value is labelled (a label group, a place, yes/no or free text). */
export const FIELDS = {
  category: 'reportCategory',
  details: 'text',
  province: 'place',
  country: 'country',
  when: 'when',
  peopleCount: 'peopleCount',
  peopleAge: 'peopleAge',
  peopleGender: 'peopleGender',
  suspects: 'text',
  contactMethod: 'contactMethod',
  evidence: 'text',
  inDanger: 'boolean',
  contactConsent: 'boolean',
  contact: 'text',
};

export function fieldName(key) {
  return t('reportFields.' + key, null, label('field', key));
}

export function fieldValue(key, value) {
  if (value == null || value === '') return '—';
  const kind = FIELDS[key];
  if (kind === 'boolean' || typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (kind === 'place') return place(value);
  if (kind === 'country') return place(value);
  if (kind && kind !== 'text') {
    // A typed answer (the person wrote a date or an app's name) is shown as written.
    const known = t('labels.' + kind + '.' + value, null, '');
    return known || String(value);
  }
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return '—';
  return String(value);
}

/** [name, value] rows for the fields that have a value, in the flow's order. */
export function fieldRows(body) {
  const keys = Object.keys(FIELDS).filter((k) => body[k] != null && body[k] !== '');
  return keys.map((k) => [fieldName(k), fieldValue(k, body[k]), k]);
}
