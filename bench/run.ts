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
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort();
const results: BenchResult[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: () => Promise<BenchResult | BenchResult[]> };
  const out = await mod.default();
  for (const r of Array.isArray(out) ? out : [out]) {
    results.push(r);
    console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit} (baseline ${r.baseline.name}: ${r.baseline.value.toFixed(1)}; ratio ${r.ratio.toFixed(3)})${r.notes ? ` — ${r.notes}` : ''}`);
  }
}
console.log(JSON.stringify({ results }));
