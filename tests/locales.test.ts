/** vi and en have the same keys, and every i18n key the flows name exists in both. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES_DIR, loadLocaleResources } from '../core/i18n/index.js';
import { FAQ_IDS } from '../flows/rights/catalog.js';
import { SIGN_QUESTIONS } from '../flows/signs/questions.js';

const resources = loadLocaleResources() as Record<string, Record<string, unknown>>;

function keys(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}
// Teen-speak tables are language-specific by nature (risk:teen.ko has no English twin); every other key must match.
const languageSpecific = (key: string) => key.startsWith('risk:teen.');
const all = (lng: string) =>
  new Set(Object.entries(resources[lng]!).flatMap(([ns, tree]) => keys(tree).map((k) => `${ns}:${k}`)).filter((k) => !languageSpecific(k)));
const has = (lng: string, key: string) => all(lng).has(key.includes(':') ? key : `common:${key}`);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
}

describe('locales', () => {
  it('vi and en have exactly the same keys in every namespace', () => {
    expect(readdirSync(path.join(LOCALES_DIR, 'vi')).sort()).toEqual(readdirSync(path.join(LOCALES_DIR, 'en')).sort());
    const vi = all('vi');
    const en = all('en');
    expect([...vi].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !vi.has(k))).toEqual([]);
  });

  it('every key named in flows/ exists in both languages', () => {
    const flowDir = path.resolve(LOCALES_DIR, '../flows');
    const found = new Set<string>();
    for (const file of sources(flowDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/key: '([a-zA-Z]+[:.][a-zA-Z0-9_.:]+)'/g)) found.add(m[1]!);
      for (const m of text.matchAll(/reply\('([a-zA-Z]+[:.][a-zA-Z0-9_.:]+)'/g)) found.add(m[1]!);
      for (const m of text.matchAll(/list\('[a-z]+', '([a-z]+:[a-zA-Z]+)', ([A-Z_]+)\)/g)) found.add(`${m[1]}.*${m[2]}`);
    }
    expect(found.size).toBeGreaterThan(60);
    // Dynamic keys: built from data lists.
    const expanded = [...found].filter((k) => !k.includes('*'));
    for (const id of FAQ_IDS) expanded.push(`faq:items.${id}.q`, `faq:items.${id}.a`);
    for (const q of SIGN_QUESTIONS) expanded.push(`signs:q.${q}`);
    for (const level of ['high', 'medium', 'low']) expanded.push(`signs:result.${level}`);
    for (const lng of ['vi', 'en']) {
      expect(expanded.filter((k) => !has(lng, k)), lng).toEqual([]);
    }
  });

  it('has at least 25 FAQ entries, each naming its legal source', () => {
    for (const lng of ['vi', 'en']) {
      const items = (resources[lng]!.faq as { items: Record<string, { a: string; article: string }> }).items;
      expect(Object.keys(items).length).toBeGreaterThanOrEqual(25);
      expect(Object.keys(items).sort()).toEqual([...FAQ_IDS].sort());
      for (const item of Object.values(items)) {
        expect(item.article).toBeTruthy();
        expect(item.a).toContain(item.article);
      }
    }
  });
});
