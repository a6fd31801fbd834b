/**
 * i18next over the JSON files in locales/<lng>/<namespace>.json. Core renders every user-facing
 * string through here; flows and adapters only pass keys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type Resource } from 'i18next';
import type { Locale } from '../../flows/types.js';
import { numberVariables } from '../safety/numbers.js';

export const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../locales');
export const SUPPORTED_LOCALES: readonly Locale[] = ['vi', 'en'];
export const FALLBACK_LOCALE: Locale = 'vi';

/** Phone numbers named in texts ({{police}}, {{mofa}}...) come from core/safety/emergency-numbers.json. */
function fillNumbers(value: unknown, numbers: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => numbers[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => fillNumbers(v, numbers));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillNumbers(v, numbers)]));
  return value;
}

/** Reads every namespace file of every supported locale (numbers filled in from the one numbers file). */
export function loadLocaleResources(dir = LOCALES_DIR): Resource {
  const resources: Resource = {};
  const numbers = numberVariables();
  for (const lng of SUPPORTED_LOCALES) {
    resources[lng] = {};
    for (const file of readdirSync(path.join(dir, lng)).filter((f) => f.endsWith('.json')).sort()) {
      resources[lng]![file.slice(0, -5)] = fillNumbers(JSON.parse(readFileSync(path.join(dir, lng, file), 'utf8')), numbers) as Record<string, unknown>;
    }
  }
  return resources;
}

let instance: i18n | undefined;

export function getI18n(): i18n {
  if (!instance) {
    const resources = loadLocaleResources();
    instance = i18next.createInstance();
    void instance.init({
      initAsync: false,
      resources,
      lng: FALLBACK_LOCALE,
      fallbackLng: FALLBACK_LOCALE,
      supportedLngs: [...SUPPORTED_LOCALES],
      ns: Object.keys(resources[FALLBACK_LOCALE] ?? {}),
      defaultNS: 'common',
      interpolation: { escapeValue: false },
      returnObjects: false,
      showSupportNotice: false,
    } as Parameters<i18n['init']>[0]);
  }
  return instance;
}

export function toLocale(value: string | null | undefined): Locale | undefined {
  const base = value?.toLowerCase().split(/[-_]/)[0];
  return SUPPORTED_LOCALES.find((l) => l === base);
}

/** Renders a key ("menu.prompt" or "faq:q1.answer") in a locale. */
export function translate(locale: Locale, key: string, params?: Record<string, unknown>): string {
  return getI18n().getFixedT(locale)(key, params ?? {}) as string;
}

/** A value that is an array or object (lexicons, keyword lists), straight from the resources. */
export function resource<T>(locale: Locale, namespace: string): T {
  return getI18n().getResourceBundle(locale, namespace) as T;
}
