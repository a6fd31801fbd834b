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
    tests: [
      'tests/core/queue/queue.pglite.test.ts',
      'tests/core/queue/waiting-room.test.ts',
      'tests/core/queue/sla-restart.test.ts',
      'tests/core/queue/units.test.ts',
      'tests/console/assignment.test.ts',
      'tests/console/wrap-up.test.ts',
    ],
  },
  turn: {
    mutate: ['core/runtime/handle-turn.ts'],
    tests: [
      // One app on one PGlite for the file (beforeAll): the suites that open an app per test
      // (runtime.pglite, risk-memory) would make a run take hours.
      'tests/core/runtime/handle-turn.test.ts',
    ],
  },
  reports: {
    mutate: ['core/reports/**/*.ts'],
    tests: ['tests/core/reports/*.test.ts', 'tests/console/report-messages.test.ts'],
  },
  privacy: {
    mutate: ['core/privacy/**/*.ts'],
    tests: ['tests/core/privacy/*.test.ts'],
  },
  auth: {
    mutate: ['console/auth/**/*.ts'],
    tests: ['tests/console/auth/*.test.ts', 'tests/console/login.test.ts', 'tests/console/access.test.ts'],
  },
  channels: {
    mutate: ['bots/*/index.ts', 'bots/*/translate.ts', 'bots/directline/tokens.ts', '!bots/terminal/**'],
    tests: [
      'tests/bots/telegram.test.ts',
      'tests/bots/line.test.ts',
      'tests/bots/zalo.test.ts',
      'tests/bots/botframework.test.ts',
      'tests/bots/directline.test.ts',
      'tests/bots/translate.test.ts',
    ],
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
