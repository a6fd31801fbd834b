/**
 * "Find help": a need (or a group), a place (province, nationwide or a shared location), then
 * directory results from the `directory.search` effect. Pure: i18n keys and ids only.
 */
import { assign, emit } from 'xstate';
import type { ChoiceSpec, FlowOutput } from '../types.js';
import { ABROAD } from '../data/provinces.js';
import type { Args, MainContext } from '../main/context.js';
import { NAV, PROVINCE_CHOICES, ask, candidateChoices, choiceId, chose, choseIn, effect, pickedProvince, provinceText, reply, resultOf, suffix, waiting, withNav } from '../kit.js';
import { list } from '../report/options.js';
import { GROUPS, NEEDS } from './options.js';

const HELP_PLACE_CHOICES: ChoiceSpec[] = [
  { id: 'where.all', key: 'help:nationwide' },
  { id: 'where.abroad', key: 'help:abroad' },
  { id: 'place.list', key: 'flows:showProvinceList' },
];
/** "A 111 counsellor connects you": a handoff carrying what the person is looking for. */
const CONNECT: ChoiceSpec = { id: 'help.connect', key: 'help:connect' };
const connect = emit(({ context, event }: Args): FlowOutput => {
  const service = choiceId(event).startsWith('connect.') ? suffix(event) : undefined;
  const details = Object.fromEntries(
    Object.entries({ need: context.dir.need, group: context.dir.group, province: context.dir.province, service }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  return { type: 'handoff', reason: 'user_request', details: { ask: 'directory', ...details } };
});
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
        { guard: chose('where.abroad'), target: 'results', actions: assign({ dir: ({ context }: Args) => ({ ...context.dir, province: ABROAD, latitude: null, longitude: null, page: 0 }) } as any) },
        { guard: chose('place.list'), target: 'whereList' },
      ],
      text: provinceText({ done: 'results', abroad: 'whereAbroad', pick: 'wherePick', set: setHelpProvince, hint: HELP_PLACE_CHOICES }),
      location: {
        target: 'results',
        actions: assign({ dir: ({ context, event }: Args) => (event.type === 'LOCATION' ? { ...context.dir, province: null, latitude: event.latitude, longitude: event.longitude, page: 0 } : context.dir) } as any),
      },
    }),
    whereList: ask({
      prompt: reply('flows:pickProvince', withNav(PROVINCE_CHOICES)),
      back: 'where',
      choice: [{ guard: choseIn('prov'), target: 'results', actions: pickedProvince(setHelpProvince) }],
      text: provinceText({ done: 'results', abroad: 'whereAbroad', pick: 'wherePick', set: setHelpProvince, hint: HELP_PLACE_CHOICES }),
    }),
    wherePick: ask({
      prompt: ({ context }) => reply('flows:pickProvince', withNav(candidateChoices(context), [HELP_PLACE_CHOICES[2]!])),
      back: 'where',
      choice: [
        { guard: choseIn('prov'), target: 'results', actions: pickedProvince(setHelpProvince) },
        { guard: chose('place.list'), target: 'whereList' },
      ],
      text: provinceText({ done: 'results', abroad: 'whereAbroad', pick: 'wherePick', set: setHelpProvince, hint: HELP_PLACE_CHOICES }),
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
    /** "nước ngoài" typed at the place question. */
    whereAbroad: {
      always: { target: 'results', actions: assign({ dir: ({ context }: Args) => ({ ...context.dir, province: ABROAD, latitude: null, longitude: null, page: 0 }) } as any) },
    },
    resultsShown: ask({
      prompt: ({ context }) =>
        reply('help:resultsPrompt', [
          CONNECT,
          ...(context.dir.hasMore ? [{ id: 'help.more', key: 'help:more' }] : []),
          { id: 'help.again', key: 'help:newSearch' },
          ...NAV,
        ]),
      back: 'where',
      choice: [
        { guard: (a: Args) => chose('help.connect')(a) || choseIn('connect')(a), actions: connect },
        { guard: (a: Args) => chose('help.more')(a) && Boolean(a.context.dir.hasMore), target: 'results', actions: assign({ dir: ({ context }: Args) => ({ ...context.dir, page: context.dir.page + 1 }) } as any) },
        { guard: chose('help.again'), target: 'need' },
      ],
    }),
  },
};
