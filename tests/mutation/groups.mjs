/**
 * Mutation-testing groups: the safety-critical code, split so each part runs against the tests
 * that exercise it. `mutate` is what Stryker breaks; `tests` is the vitest files run against
 * each break (Stryker then narrows to the tests that cover the changed line).
 * `folders` maps each mutated file to the folder its score is reported under.
 */
export const groups = {
  risk: {
    mutate: ['core/risk/**/*.ts', '!core/risk/cli.ts', '!core/risk/training/**'],
    tests: [
      // Focused unit tests only: the evaluation sets (eval.test.ts, hundreds of messages) would be run
      // against every mutant and make the group take hours; the unit tests do the killing.
      'tests/core/risk/detector.test.ts',
      'tests/core/risk/families.test.ts',
      'tests/core/risk/labels.test.ts',
      'tests/core/risk/assess.test.ts',
      'tests/core/risk/normalise-model.test.ts',
    ],
  },
  queue: {
    mutate: ['core/queue/**/*.ts'],
    // Focused tests that call core/queue on one PGlite per file (the app-level queue tests boot a
    // whole app per test: too slow to run once per mutant, and these kill the same mutants).
    tests: ['tests/core/queue/units.pure.test.ts', 'tests/core/queue/units.test.ts', 'tests/core/queue/units.more.test.ts'],
  },
  turn: {
    mutate: ['core/runtime/handle-turn.ts'],
    tests: [
      // One app on one PGlite for the file (beforeAll): the suites that open an app per test
      // (runtime.pglite, risk-memory) would make a run take hours.
      'tests/core/runtime/handle-turn.test.ts',
      // The queue branches and the counsellor operations' exact answers, with a scripted detector.
      'tests/core/runtime/handle-turn.queue.test.ts',
    ],
  },
  reports: {
    mutate: ['core/reports/**/*.ts'],
    // Focused tests calling the modules directly (tests/console/report-messages.test.ts boots the
    // HTTP app for every mutant it covers).
    tests: ['tests/core/reports/*.test.ts'],
  },
  privacy: {
    mutate: ['core/privacy/**/*.ts'],
    // Focused tests calling the modules directly (the app-level encryption/retention tests boot the
    // whole product per mutant: hours per run).
    tests: ['tests/core/privacy/units.test.ts', 'tests/core/privacy/at-rest.pglite.test.ts', 'tests/core/privacy/at-rest-more.pglite.test.ts'],
  },
  auth: {
    mutate: ['console/auth/**/*.ts'],
    // Focused tests calling the modules directly (tests/console/login.test.ts and access.test.ts
    // boot the HTTP app for every mutant they cover).
    tests: ['tests/console/auth/*.test.ts'],
  },
  channels: {
    mutate: ['bots/*/index.ts', 'bots/*/translate.ts', 'bots/directline/tokens.ts', '!bots/terminal/**', '!bots/directline/index.ts'],
    // Focused tests (pure translation; each route on a bare server). The integration files boot the
    // whole app (a migrated PGlite: ~40 s on a loaded machine) in every mutant's run: with them the
    // initial run timed out.
    tests: [
      'tests/bots/translate.test.ts',
      'tests/bots/botframework-translate.test.ts',
      'tests/bots/telegram-route.test.ts',
      'tests/bots/line-route.test.ts',
      'tests/bots/zalo-route.test.ts',
      'tests/bots/botframework-route.test.ts',
    ],
  },
  directline: {
    // The Direct Line routes (tokens, conversations, activities, the socket) run on the real app:
    // its own group, so its cost (an app per test file run) stays apart from the other channels.
    mutate: ['bots/directline/index.ts'],
    tests: ['tests/bots/directline.test.ts', 'tests/bots/directline-more.test.ts', 'tests/bots/directline-details.test.ts', 'tests/bots/directline-scope.test.ts'],
  },
};

/** The folder a mutated file's score is reported under (the list of safety-critical code). */
export function folderOf(file) {
  const f = file.replaceAll('\\', '/');
  const bot = /^bots\/([^/]+)\//.exec(f);
  if (bot) return f === 'bots/directline/tokens.ts' ? 'bots/directline/tokens.ts' : `bots/${bot[1]}`;
  if (f === 'core/runtime/handle-turn.ts') return f;
  return f.split('/').slice(0, 2).join('/');
}
