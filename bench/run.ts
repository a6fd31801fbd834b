/**
 * `npm run bench`: runs every bench/*.bench.ts (each default-exports an async function returning
 * figures), prints each result, and a JSON summary of all of them on the last line.
 * Figures are measured against a baseline taken in the same run, so ratios survive noisy machines.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  baseline: { name: string; value: number };
  ratio: number;
  notes?: string;
  /** Further figures of the same measurement (percentiles, counts), printed and kept in the summary. */
  extra?: Record<string, number | string | boolean>;
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort();
const results: BenchResult[] = [];
const started = performance.now();
for (const file of files) {
  const fileStart = performance.now();
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: () => Promise<BenchResult | BenchResult[]> };
  const out = await mod.default();
  for (const r of Array.isArray(out) ? out : [out]) {
    results.push(r);
    console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit} (baseline ${r.baseline.name}: ${r.baseline.value.toFixed(1)}; ratio ${r.ratio.toFixed(3)})${r.notes ? ` — ${r.notes}` : ''}`);
    if (r.extra) console.log(`  ${Object.entries(r.extra).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`).join(' ')}`);
  }
  console.error(`[bench] ${file}: ${((performance.now() - fileStart) / 1000).toFixed(1)} s`);
}
console.log(JSON.stringify({ seconds: Math.round((performance.now() - started) / 1000), results }));
