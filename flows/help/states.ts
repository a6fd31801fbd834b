/**
 * "Find help": a need (or a group), a place (province, nationwide or a shared location), then
 * directory results from the `directory.search` effect. Pure: i18n keys and ids only.
 */
import { assign } from 'xstate';
import type { ChoiceSpec } from '../types.js';
import type { Args, MainContext } from '../main/context.js';
import { COUNSELLOR_CHOICE, NAV, PROVINCE_CHOICES, ask, candidateChoices, chose, choseIn, effect, pickedProvince, provinceText, reply, resultOf, suffix, waiting, withNav } from '../kit.js';
import { list } from '../report/options.js';
import { GROUPS, NEEDS } from './options.js';

const HELP_PLACE_CHOICES: ChoiceSpec[] = [
  { id: 'where.all', key: 'help:nationwide' },
  { id: 'place.list', key: 'flows:showProvinceList' },
];
const setHelpProvince = (context: MainContext, slug: string): Partial<MainContext> => ({ dir: { ...context.dir, province: slug, latitude: null, longitude: null, page: 0 } });
const helpSearch = effect('directory.search', ({ context }) => ({ ...context.dir }));
export const helpStates = {
  id: 'help',
  initial: 'need',
  states: {
    need: ask({
      prompt: reply('help:askNeed', withNav([...list('need', 'help:need', NEEDS), { id: 'help.byGroup', key: 'help:byGroup' }])),
      back: '#main.menu',
      choice: [
        { guard: choseIn('need'), target: 'where', actions: assign({ dir: ({ event }: Args) => ({ need: suffix(event), group: null, page: 0 }) } as any) },
        { guard: chose('help.byGroup'), target: 'group' },
      ],
    }),
    group: ask({
      prompt: reply('help:askGroup', withNav(list('group', 'help:group', GROUPS))),
      back: 'need',
      choice: [{ guard: choseIn('group'), target: 'where', actions: assign({ dir: ({ event }: Args) => ({ need: null, group: suffix(event), page: 0 }) } as any) }],
    }),
    where: ask({
      prompt: reply('help:askWhere', withNav(HELP_PLACE_CHOICES)),
      back: 'need',
      choice: [
        { guard: chose('where.all'), target: 'results', actions: assign({ dir: ({ context }: Args) => ({ ...context.dir, province: null, latitude: null, longitude: null, page: 0 }) } as any) },
        { guard: chose('place.list'), target: 'whereList' },
      ],
      text: provinceText({ done: 'results', pick: 'wherePick', set: setHelpProvince, hint: HELP_PLACE_CHOICES }),
      location: {
        target: 'results',
        actions: assign({ dir: ({ context, event }: Args) => (event.type === 'LOCATION' ? { ...context.dir, province: null, latitude: event.latitude, longitude: event.longitude, page: 0 } : context.dir) } as any),
      },
    }),
    whereList: ask({
      prompt: reply('flows:pickProvince', withNav(PROVINCE_CHOICES)),
      back: 'where',
      choice: [{ guard: choseIn('prov'), target: 'results', actions: pickedProvince(setHelpProvince) }],
      text: provinceText({ done: 'results', pick: 'wherePick', set: setHelpProvince, hint: HELP_PLACE_CHOICES }),
    }),
    wherePick: ask({
      prompt: ({ context }) => reply('flows:pickProvince', withNav(candidateChoices(context), [HELP_PLACE_CHOICES[1]!])),
      back: 'where',
      choice: [
        { guard: choseIn('prov'), target: 'results', actions: pickedProvince(setHelpProvince) },
        { guard: chose('place.list'), target: 'whereList' },
      ],
      text: provinceText({ done: 'results', pick: 'wherePick', set: setHelpProvince, hint: HELP_PLACE_CHOICES }),
    }),
    results: waiting({
      entry: [helpSearch],
      back: 'where',
      result: [
        {
          target: 'resultsShown',
          actions: assign({ dir: ({ context, event }: Args) => ({ ...context.dir, hasMore: Boolean(resultOf(event, 'directory.search')?.data?.hasMore) }) } as any),
        },
      ],
    }),
    resultsShown: ask({
      prompt: ({ context }) =>
        reply('help:resultsPrompt', [
          ...(context.dir.hasMore ? [{ id: 'help.more', key: 'help:more' }] : []),
          { id: 'help.again', key: 'help:newSearch' },
          COUNSELLOR_CHOICE,
          ...NAV,
        ]),
      back: 'where',
      choice: [
        { guard: (a: Args) => chose('help.more')(a) && Boolean(a.context.dir.hasMore), target: 'results', actions: assign({ dir: ({ context }: Args) => ({ ...context.dir, page: context.dir.page + 1 }) } as any) },
        { guard: chose('help.again'), target: 'need' },
      ],
    }),
  },
};
