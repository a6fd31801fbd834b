/**
 * `npm run test:mutation [-- group...]`: StrykerJS over the safety-critical code, one group at a
 * time (see groups.mjs), incremental (results of unchanged code and tests are reused from
 * tests/mutation/incremental/<group>.json, committed). Reports: reports/mutation/<group>.{json,html}.
 * Prints the mutation score per folder and exits 1 if any folder is below the threshold.
 */
import { readFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Stryker } from '@stryker-mutator/core';
import picomatch from 'picomatch';
import { groups, folderOf } from './groups.mjs';

const THRESHOLD = 80;
const args = process.argv.slice(2);
const full = args.includes('--full');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in groups));
if (unknown.length > 0) {
  console.error(`unknown group(s): ${unknown.join(', ')}; groups: ${Object.keys(groups).join(', ')}`);
  process.exit(2);
}
const selected = names.length > 0 ? names : Object.keys(groups);

const started = Date.now();
for (const name of selected) {
  const group = groups[name];
  process.env.MUTATION_TESTS = group.tests.join(',');
  console.log(`\n== mutation group ${name}: ${group.mutate.join(' ')}`);
  const stryker = new Stryker({
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'tests/mutation/vitest.config.ts', related: false },
    mutate: group.mutate,
    coverageAnalysis: 'perTest',
    // Mutants that only run while a module loads need a full reload per mutant; they are reported
    // as "ignored" rather than run (Stryker's documented speed trade-off).
    ignoreStatic: true,
    incremental: !full,
    force: full,
    incrementalFile: `tests/mutation/incremental/${name}.json`,
    concurrency: Number(process.env.MUTATION_CONCURRENCY ?? Math.max(1, availableParallelism())),
    timeoutMS: 20_000,
    timeoutFactor: 2,
    reporters: ['json', 'html', 'clear-text', 'progress'],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
    ignorePatterns: ['/data', '/reports', '/test-artifacts', '/tests/artifacts', '/.stryker-tmp'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: process.env.MUTATION_KEEP_SANDBOX ? false : 'always', logLevel: process.env.MUTATION_LOG ?? 'info',
    thresholds: { high: 90, low: THRESHOLD, break: null },
  });
  await stryker.runMutationTest();
}

/** Whether a file (relative path) is in a group's `mutate` patterns (globs, "!" excludes). */
function mutatedBy(patterns) {
  const include = picomatch(patterns.filter((p) => !p.startsWith('!')));
  const exclude = picomatch(patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1)));
  return (file) => {
    const f = file.replaceAll('\\', '/');
    return include(f) && !exclude(f);
  };
}

// Score per folder, from every group's latest JSON report.
const tally = new Map();
for (const name of Object.keys(groups)) {
  const path = `reports/mutation/${name}.json`;
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  // Stryker keeps results of files that a group no longer mutates (after its patterns changed): only
  // the files the group mutates now count, so no file is counted twice or from stale results.
  const mutated = mutatedBy(groups[name].mutate);
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (!mutated(file)) continue;
    const folder = folderOf(file);
    const t = tally.get(folder) ?? { killed: 0, survived: 0, noCoverage: 0, timeout: 0, ignored: 0, errors: 0 };
    for (const m of mutants) {
      if (m.status === 'Killed') t.killed++;
      else if (m.status === 'Timeout') t.timeout++;
      else if (m.status === 'Survived') t.survived++;
      else if (m.status === 'NoCoverage') t.noCoverage++;
      else if (m.status === 'Ignored') t.ignored++;
      else t.errors++;
    }
    tally.set(folder, t);
  }
}
console.log('\nMutation score per folder (detected = killed + timeout; score = detected / (detected + survived + no coverage))');
console.log('folder'.padEnd(34) + 'score'.padStart(8) + 'killed'.padStart(8) + 'timeout'.padStart(8) + 'survived'.padStart(9) + 'no-cov'.padStart(8) + 'ignored'.padStart(8));
let failing = 0;
for (const [folder, t] of [...tally].sort(([a], [b]) => a.localeCompare(b))) {
  const detected = t.killed + t.timeout;
  const valid = detected + t.survived + t.noCoverage;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  if (score < THRESHOLD) failing++;
  console.log(
    folder.padEnd(34) + `${score.toFixed(1)}%`.padStart(8) + String(t.killed).padStart(8) + String(t.timeout).padStart(8) +
      String(t.survived).padStart(9) + String(t.noCoverage).padStart(8) + String(t.ignored).padStart(8) + (score < THRESHOLD ? '  < 80%' : ''),
  );
}
console.log(`\n${selected.length} group(s) run in ${((Date.now() - started) / 60000).toFixed(1)} min`);
process.exit(failing > 0 ? 1 : 0);
