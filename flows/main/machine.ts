/**
 * The main conversation: welcome and language choice, then the menu. Global events (menu,
 * language, counsellor, delete, help) work from every state.
 */
import { emit, setup } from 'xstate';
import type { ChoiceSpec, FlowEvent, FlowOutput, Locale } from '../types.js';

export const MENU_CHOICES: ChoiceSpec[] = [
  { id: 'report', key: 'menu.report' },
  { id: 'rights', key: 'menu.rights' },
  { id: 'help', key: 'menu.help' },
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

interface SayParams {
  key: string;
  choices?: ChoiceSpec[];
}

const chose = (id: string) => ({ event }: { event: FlowEvent }) => event.type === 'CHOICE' && event.id === id;
const langIs = (locale: Locale) => ({ event }: { event: FlowEvent }) => event.type === 'LANG' && event.locale === locale;

export const mainMachine = setup({
  types: {
    context: {} as Record<string, never>,
    events: {} as FlowEvent,
    emitted: {} as FlowOutput,
  },
  actions: {
    say: emit((_, params: SayParams): FlowOutput => ({ type: 'reply', ...params })),
    setLocale: emit((_, params: { locale: Locale }): FlowOutput => ({ type: 'setLocale', locale: params.locale })),
    askCounsellor: emit((): FlowOutput => ({ type: 'handoff', reason: 'user_request' })),
    erase: emit((): FlowOutput => ({ type: 'erase' })),
  },
}).createMachine({
  id: 'main',
  context: {},
  initial: 'welcome',
  on: {
    START: '.welcome',
    MENU: '.menu',
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
      },
    },
    menu: {
      entry: { type: 'say', params: { key: 'menu.prompt', choices: MENU_CHOICES } },
      on: {
        CHOICE: [
          { guard: chose('counsellor'), actions: 'askCounsellor' },
          { guard: ({ event }) => ['report', 'rights', 'help'].includes((event as { id: string }).id), target: 'menu', reenter: true, actions: { type: 'say', params: { key: 'menu.comingSoon' } } },
          { actions: { type: 'say', params: { key: 'menu.unknown', choices: MENU_CHOICES } } },
        ],
        TEXT: { actions: { type: 'say', params: { key: 'menu.unknown', choices: MENU_CHOICES } } },
        BACK: { target: 'menu', reenter: true },
        RESUME: { target: 'menu', reenter: true, actions: { type: 'say', params: { key: 'common.resumed' } } },
      },
    },
    confirmDelete: {
      entry: { type: 'say', params: { key: 'privacy.confirmDelete', choices: DELETE_CHOICES } },
      on: {
        CHOICE: [{ guard: chose('delete.yes'), target: 'welcome', actions: 'erase' }, { target: 'menu' }],
        TEXT: 'menu',
        BACK: 'menu',
      },
    },
  },
});
