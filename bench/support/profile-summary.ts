/**
 * Where an app process spent its CPU: self time of a V8 .cpuprofile grouped by package (node_modules),
 * our folders, Node internals, GC and idle. Profiles come from `BENCH_CPU_PROF=/tmp/prof npm run bench scale`
 * (node --cpu-prof on every app instance; the main thread's profile is the large one).
 *   npx tsx bench/support/profile-summary.ts /tmp/prof/pg-A.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function bucketOf(node: ProfileNode): string {
  const { functionName: fn, url } = node.callFrame;
  if (fn === '(idle)' || fn === '(garbage collector)' || fn === '(program)') return fn;
  if (url.includes('node_modules/')) {
    const parts = url.split('node_modules/').at(-1)!.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.startsWith('wasm')) return 'wasm (Prisma query compiler, PGlite)';
  const ours = /\/(core|bots|console|server|flows|text)\//.exec(url);
  if (ours) return `ours: ${ours[1]}/`;
  return url ? 'other' : `native: ${fn}`;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: tsx bench/support/profile-summary.ts FILE.cpuprofile');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const buckets = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const key = bucketOf(byId.get(id)!);
  buckets.set(key, (buckets.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const busy = [...buckets].filter(([k]) => k !== '(idle)').reduce((n, [, v]) => n + v, 0);
console.log(`busy ${(busy / 1e6).toFixed(1)} s`);
for (const [key, micros] of [...buckets].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${key.padEnd(44)} ${(micros / 1e6).toFixed(2).padStart(7)} s ${((100 * micros) / busy).toFixed(1).padStart(5)} %`);
}
