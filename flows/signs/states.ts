/**
 * "Spot the signs": ten yes/no questions about a job offer, then a risk level with what to do.
 * Pure: i18n keys and ids only.
 */
import { assign } from 'xstate';
import type { Args } from '../main/context.js';
import { COUNSELLOR_CHOICE, NAV, YES_NO_UNSURE, ask, chose, reply, withNav } from '../kit.js';
import { SIGN_QUESTIONS, riskLevel, type SignAnswer } from './questions.js';

const states: Record<string, unknown> = {
  intro: ask({
    prompt: reply('signs:intro', withNav([{ id: 'signs.start', key: 'signs:start' }])),
    back: '#main.menu',
    choice: [{ guard: chose('signs.start'), target: SIGN_QUESTIONS[0], actions: assign({ signs: {} } as any) }],
  }),
};
SIGN_QUESTIONS.forEach((q, i) => {
  const nextState = SIGN_QUESTIONS[i + 1] ?? 'result';
  const record = (answer: SignAnswer) => assign({ signs: ({ context }: Args) => ({ ...context.signs, [q]: answer }) } as any);
  states[q] = ask({
    prompt: reply(`signs:q.${q}`, withNav(YES_NO_UNSURE), { n: i + 1, total: SIGN_QUESTIONS.length }),
    back: i === 0 ? 'intro' : SIGN_QUESTIONS[i - 1]!,
    choice: (['yes', 'no', 'unsure'] as const).map((answer) => ({ guard: chose(answer), target: nextState, actions: record(answer) })),
  });
});
states.result = ask({
  prompt: ({ context }) =>
    reply(`signs:result.${riskLevel(context.signs ?? {})}`, [
      { id: 'signs.report', key: 'signs:reportIt' },
      COUNSELLOR_CHOICE,
      { id: 'signs.help', key: 'signs:findHelp' },
      ...NAV,
    ], { count: Object.values(context.signs ?? {}).filter((a) => a === 'yes').length }),
  back: SIGN_QUESTIONS[SIGN_QUESTIONS.length - 1]!,
  choice: [
    { guard: chose('signs.report'), target: '#report.province', actions: assign({ draft: () => ({ category: 'job_offer' }) } as any) },
    { guard: chose('signs.help'), target: '#help.need' },
  ],
});

export const signStates = { id: 'signs', initial: 'intro', states };
