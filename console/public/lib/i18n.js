// The console's words (locales/<lng>/console.json, put in the page by the server) and the staff's
// locale for dates, numbers and durations. Ids from the server are always shown through `label`.
import { state } from './state.js';

const STRINGS = JSON.parse(document.getElementById('strings').textContent);
/** Places the server adds for labels: provinces (slug → name) per language. */
export const PLACES = STRINGS.places || { vi: {}, en: {} };

function lookup(lang, key) {
  return key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), STRINGS[lang]);
}

/** A string by key, with {{params}}; `fallback` when missing (default: the key, which tests catch). */
export function t(key, params, fallback) {
  const value = lookup(state.lang, key);
  if (typeof value !== 'string') return fallback === undefined ? key : fallback;
  return value.replace(/\{\{(\w+)\}\}/g, (_, name) => (params && params[name] != null ? String(params[name]) : ''));
}

/** The keys of a block of strings (e.g. the outcomes), in file order. */
export function keysOf(block) {
  const value = lookup(state.lang, block);
  return value && typeof value === 'object' ? Object.keys(value) : [];
}

/** The whole block for another language (canned replies are in the user's language). */
export function block(lang, key) {
  return lookup(lang, key) || {};
}

/** An id the server sends (level, category, outcome...) in words; an unknown one is made readable, never shown raw. */
export function label(group, id) {
  if (id == null || id === '') return '—';
  const value = lookup(state.lang, 'labels.' + group + '.' + id);
  if (typeof value === 'string') return value;
  return String(id).replace(/^[a-z]{2}\./, '').replace(/[_.:]+/g, ' ').replace(/-/g, ' ');
}

/** A place: a province slug, a country code, "abroad". */
export function place(value) {
  if (!value) return '—';
  const province = PLACES[state.lang] && PLACES[state.lang][value];
  if (province) return province;
  const country = lookup(state.lang, 'labels.country.' + value);
  if (typeof country === 'string') return country;
  // Any other country code the gazetteer knows (AE, JP...), named by the browser in the staff's language.
  if (/^[A-Z]{2}$/.test(value) && typeof Intl.DisplayNames === 'function') {
    try { return new Intl.DisplayNames([locale()], { type: 'region' }).of(value); } catch (_) { /* not a region */ }
  }
  return label('place', value);
}

const locale = () => (state.lang === 'en' ? 'en-GB' : 'vi-VN');

export function dateTime(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(locale(), { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(value));
}
export function date(value) {
  if (!value) return '—';
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(value + 'T00:00:00Z') : new Date(value);
  return new Intl.DateTimeFormat(locale(), { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: typeof value === 'string' && value.length === 10 ? 'UTC' : undefined }).format(d);
}
export function number(value) {
  return value == null ? '—' : new Intl.NumberFormat(locale()).format(value);
}

/** A duration in words: "3 phút 05 giây", "2 h 10 min"... (seconds in). */
export function duration(seconds) {
  if (seconds == null || !isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d) return t('time.days', { d, h: hr });
  if (hr) return t('time.hours', { h: hr, m });
  if (m) return t('time.minutes', { m, s: String(sec).padStart(2, '0') });
  return t('time.seconds', { s: sec });
}
export function since(value) {
  return duration((Date.now() - new Date(value).getTime()) / 1000);
}
