/**
 * The main conversation: welcome and language choice, the menu, global events, and the four
 * conversations it composes (flows/report, flows/rights, flows/help, flows/signs). Global events
 * (menu, language, counsellor, delete, help) work from every state; every question state also
 * handles BACK and RESUME (re-asks its question; see flows/kit.ts).
 * Pure: i18n keys and ids only; I/O happens in effects performed by the runtime (core/effects.ts).
 */
import { assign, emit, setup } from 'xstate';
import type { ChoiceSpec, FlowEvent, FlowOutput, Locale, OpenTarget } from '../types.js';
import { chose, langIs, listChoices, reply, say } from '../kit.js';
import { initialContext, type Args, type MainContext } from './context.js';
import { reportStates } from '../report/states.js';
import { rightsStates } from '../rights/states.js';
import { helpStates } from '../help/states.js';
import { signStates } from '../signs/states.js';

export type { MainContext, ReportDraft } from './context.js';

export const MENU_CHOICES: ChoiceSpec[] = [
  { id: 'report', key: 'menu.report' },
  { id: 'rights', key: 'menu.rights' },
  { id: 'help', key: 'menu.help' },
  { id: 'signs', key: 'menu.signs' },
  { id: 'counsellor', key: 'menu.counsellor' },
];

export const LANGUAGE_CHOICES: ChoiceSpec[] = [
  { id: 'lang.vi', key: 'language.vi' },
  { id: 'lang.en', key: 'language.en' },
];

const DELETE_CHOICES: ChoiceSpec[] = [
  { id: 'delete.yes', key: 'privacy.deleteYes' },
  { id: 'delete.no', key: 'privacy.deleteNo' },
];

const hasDraft = ({ context }: { context: MainContext }) => Boolean(context.draft?.category);
const startsIn = (locale: Locale) => ({ event }: { event: FlowEvent }) => event.type === 'START' && event.locale === locale;
const opens = (flow: OpenTarget) => ({ event }: { event: FlowEvent }) => event.type === 'OPEN' && event.flow === flow;
/** Where each conversation starts (the menu's buttons and the typed keywords lead to the same place). */
const OPEN_TRANSITIONS: any[] = [
  { guard: (a: Args) => opens('report')(a) && hasDraft(a), target: '#report.draftFound' },
  { guard: opens('report'), target: '#report.intro' },
  { guard: opens('rights'), target: '#rights.topics' },
  { guard: opens('help'), target: '#help.need' },
  { guard: opens('signs'), target: '#signs.intro' },
];
/** Text at the menu that is no choice and no keyword: say so, then (from the second time) list the choices with numbers. */
const menuMiss: any[] = [
  { guard: ({ context }: Args) => (context.misses ?? 0) >= 1, actions: [assign({ misses: ({ context }: Args) => (context.misses ?? 0) + 1 } as any), listChoices(reply('menu.unknown', MENU_CHOICES))] },
  { actions: [assign({ misses: ({ context }: Args) => (context.misses ?? 0) + 1 } as any), say(reply('menu.unknown', MENU_CHOICES))] },
];

export const mainMachine = setup({
  types: {
    context: {} as MainContext,
    events: {} as FlowEvent,
    emitted: {} as FlowOutput,
  },
  actions: {
    say: emit((_, params: { key: string; choices?: ChoiceSpec[] }): FlowOutput => ({ type: 'reply', ...params })),
    setLocale: emit((_, params: { locale: Locale }): FlowOutput => ({ type: 'setLocale', locale: params.locale })),
    askCounsellor: emit((): FlowOutput => ({ type: 'handoff', reason: 'user_request' })),
    erase: emit((): FlowOutput => ({ type: 'erase' })),
  },
}).createMachine({
  id: 'main',
  context: initialContext,
  initial: 'welcome',
  on: {
    START: [
      { guard: startsIn('vi'), target: '.menu', actions: [{ type: 'setLocale', params: { locale: 'vi' } }, { type: 'say', params: { key: 'welcome.hello' } }] },
      { guard: startsIn('en'), target: '.menu', actions: [{ type: 'setLocale', params: { locale: 'en' } }, { type: 'say', params: { key: 'welcome.hello' } }] },
      { target: '.welcome' },
    ],
    MENU: '.menu',
    OPEN: OPEN_TRANSITIONS,
    LANG: [
      { guard: langIs('vi'), target: '.menu', actions: { type: 'setLocale', params: { locale: 'vi' } } },
      { guard: langIs('en'), target: '.menu', actions: { type: 'setLocale', params: { locale: 'en' } } },
      { target: '.language' },
    ],
    HELP: { actions: { type: 'say', params: { key: 'help.text' } } },
    COUNSELLOR: { actions: 'askCounsellor' },
    DELETE: '.confirmDelete',
    RESUME: { actions: { type: 'say', params: { key: 'common.resumed' } } },
  },
  states: {
    welcome: {
      entry: { type: 'say', params: { key: 'welcome.intro', choices: LANGUAGE_CHOICES } },
      on: {
        CHOICE: [
          { guard: chose('lang.vi'), target: 'menu', actions: { type: 'setLocale', params: { locale: 'vi' } } },
          { guard: chose('lang.en'), target: 'menu', actions: { type: 'setLocale', params: { locale: 'en' } } },
          { actions: { type: 'say', params: { key: 'welcome.pickLanguage', choices: LANGUAGE_CHOICES } } },
        ],
        TEXT: { actions: { type: 'say', params: { key: 'welcome.pickLanguage', choices: LANGUAGE_CHOICES } } },
        BACK: { actions: { type: 'say', params: { key: 'welcome.pickLanguage', choices: LANGUAGE_CHOICES } } },
        RESUME: { actions: [{ type: 'say', params: { key: 'common.resumed' } }, { type: 'say', params: { key: 'welcome.pickLanguage', choices: LANGUAGE_CHOICES } }] },
      },
    },
    language: {
      entry: { type: 'say', params: { key: 'language.prompt', choices: LANGUAGE_CHOICES } },
      on: {
        CHOICE: [
          { guard: chose('lang.vi'), target: 'menu', actions: { type: 'setLocale', params: { locale: 'vi' } } },
          { guard: chose('lang.en'), target: 'menu', actions: { type: 'setLocale', params: { locale: 'en' } } },
          { actions: { type: 'say', params: { key: 'language.prompt', choices: LANGUAGE_CHOICES } } },
        ],
        TEXT: { actions: { type: 'say', params: { key: 'language.prompt', choices: LANGUAGE_CHOICES } } },
        BACK: 'menu',
        RESUME: { actions: [{ type: 'say', params: { key: 'common.resumed' } }, { type: 'say', params: { key: 'language.prompt', choices: LANGUAGE_CHOICES } }] },
      },
    },
    menu: {
      entry: [assign({ misses: 0 }), { type: 'say', params: { key: 'menu.prompt', choices: MENU_CHOICES } }],
      on: {
        CHOICE: [
          { guard: chose('counsellor'), actions: 'askCounsellor' },
          { guard: (a) => chose('report')(a) && hasDraft(a), target: '#report.draftFound' },
          { guard: chose('report'), target: '#report.intro' },
          { guard: chose('rights'), target: '#rights.topics' },
          { guard: chose('help'), target: '#help.need' },
          { guard: chose('signs'), target: '#signs.intro' },
          { guard: chose('nav.menu'), target: 'menu', reenter: true },
          ...menuMiss,
        ],
        TEXT: menuMiss,
        BACK: { target: 'menu', reenter: true },
        RESUME: { target: 'menu', reenter: true, actions: { type: 'say', params: { key: 'common.resumed' } } },
      },
    },
    confirmDelete: {
      entry: { type: 'say', params: { key: 'privacy.confirmDelete', choices: DELETE_CHOICES } },
      on: {
        CHOICE: [{ guard: chose('delete.yes'), target: 'welcome', actions: ['erase', assign(initialContext)] }, { target: 'menu' }],
        TEXT: 'menu',
        BACK: 'menu',
        RESUME: { target: 'confirmDelete', reenter: true, actions: { type: 'say', params: { key: 'common.resumed' } } },
      },
    },
    report: reportStates as any,
    rights: rightsStates as any,
    help: helpStates as any,
    signs: signStates as any,
  },
});
