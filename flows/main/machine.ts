/**
 * The main conversation: welcome and language choice, the menu, and the sub-flows (report,
 * rights FAQ, find help, spot the signs). Global events (menu, language, counsellor, delete, help)
 * work from every state; every question state also handles BACK and RESUME (re-asks its question).
 * Pure: i18n keys and ids only; I/O happens in effects performed by the runtime (core/effects.ts).
 */
import { assign, emit, setup } from 'xstate';
import type { ChoiceSpec, FlowEvent, FlowOutput, Locale, ReplyOutput } from '../types.js';
import { ABROAD, PROVINCES, resolveProvince } from '../data/provinces.js';
import { CATEGORIES, CONTACT_METHODS, COUNTRIES, EDIT_FIELDS, PEOPLE_AGE, PEOPLE_COUNT, PEOPLE_GENDER, WHEN, list } from '../report/options.js';
import { FAQ_TOPICS, topicOf } from '../rights/catalog.js';
import { GROUPS, NEEDS } from '../help/options.js';
import { SIGN_QUESTIONS, riskLevel, type SignAnswer } from '../signs/questions.js';

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

const NAV: ChoiceSpec[] = [
  { id: 'nav.back', key: 'common.back' },
  { id: 'nav.menu', key: 'common.menu' },
];
const COUNSELLOR_CHOICE: ChoiceSpec = { id: 'counsellor', key: 'menu.counsellor' };
const SKIP: ChoiceSpec = { id: 'skip', key: 'flows:skip' };
const YES_NO_UNSURE: ChoiceSpec[] = [
  { id: 'yes', key: 'flows:yes' },
  { id: 'no', key: 'flows:no' },
  { id: 'unsure', key: 'flows:unsure' },
];
const PROVINCE_CHOICES: ChoiceSpec[] = PROVINCES.map((p) => ({ id: `prov.${p.slug}`, key: `geo:${p.slug}` }));

export interface ReportDraft {
  category?: string;
  province?: string | null;
  country?: string | null;
  when?: string | null;
  peopleCount?: string | null;
  peopleAge?: string | null;
  peopleGender?: string | null;
  suspects?: string | null;
  contactMethod?: string | null;
  evidence?: string | null;
  inDanger?: boolean;
  contactConsent?: boolean;
  contact?: string | null;
}

export interface MainContext {
  draft: ReportDraft | null;
  editing: boolean;
  provinceCandidates: string[];
  followUp: { reference?: string; reportId?: string; referenceCode?: string };
  faq: { topic?: string; id?: string; hits?: string[]; suggestion?: string; from?: 'topic' | 'search' };
  dir: { need?: string | null; group?: string | null; province?: string | null; latitude?: number | null; longitude?: number | null; page: number; hasMore?: boolean };
  signs: Record<string, SignAnswer>;
}

const initialContext = (): MainContext => ({ draft: null, editing: false, provinceCandidates: [], followUp: {}, faq: {}, dir: { page: 0 }, signs: {} });

type Args = { context: MainContext; event: FlowEvent };
type Prompt = ReplyOutput | ((args: Args) => ReplyOutput);

const MAX_TEXT = 1000;
const clip = (text: string, max = MAX_TEXT) => text.trim().slice(0, max);
const isChoice = (event: FlowEvent, id: string) => event.type === 'CHOICE' && event.id === id;
const choiceId = (event: FlowEvent) => (event.type === 'CHOICE' ? event.id : '');
const textOf = (event: FlowEvent) => (event.type === 'TEXT' ? event.text : '');
const chose = (id: string) => ({ event }: { event: FlowEvent }) => isChoice(event, id);
const choseIn = (prefix: string) => ({ event }: { event: FlowEvent }) => choiceId(event).startsWith(`${prefix}.`);
const langIs = (locale: Locale) => ({ event }: { event: FlowEvent }) => event.type === 'LANG' && event.locale === locale;
const suffix = (event: FlowEvent) => choiceId(event).split('.').slice(1).join('.');
const resultOf = (event: FlowEvent, name: string) => (event.type === 'RESULT' && event.name === name ? event : undefined);
const draftOf = (context: MainContext): ReportDraft => context.draft ?? {};

const reply = (key: string, choices?: ChoiceSpec[], params?: Record<string, string | number>): ReplyOutput => ({
  type: 'reply',
  key,
  ...(choices ? { choices } : {}),
  ...(params ? { params } : {}),
});
const say = (prompt: Prompt) => emit((args: Args) => (typeof prompt === 'function' ? prompt(args) : prompt) as FlowOutput);
const effect = (name: string, data: (args: Args) => Record<string, unknown>) => emit((args: Args): FlowOutput => ({ type: 'effect', name, data: data(args) }));
const handoff = emit((): FlowOutput => ({ type: 'handoff', reason: 'user_request' }));
const sayResumed = emit((): FlowOutput => reply('common.resumed'));
const retry = emit((): FlowOutput => reply('flows:retry'));

type Transition = Record<string, unknown> | string;

interface Ask {
  prompt: Prompt;
  back: string;
  /** Handlers for CHOICE (tried before the shared nav handlers), TEXT, LOCATION, RESULT, ATTACHMENT. */
  choice?: Transition[];
  text?: Transition | Transition[];
  location?: Transition | Transition[];
  result?: Transition[];
  attachment?: Transition;
  entry?: unknown[];
}

/**
 * A question state: says its prompt on entry and on RESUME, goes back on BACK or the "back"
 * button, to the menu on the "menu" button, to a counsellor on the counsellor button, and
 * re-asks (kindly) when the answer does not fit.
 */
function ask(spec: Ask): any {
  const reask = [retry, say(spec.prompt)];
  return {
    entry: [...(spec.entry ?? []), say(spec.prompt)],
    on: {
      BACK: spec.back,
      RESUME: { actions: [sayResumed, say(spec.prompt)] },
      CHOICE: [
        ...(spec.choice ?? []),
        { guard: chose('nav.back'), target: spec.back },
        { guard: chose('nav.menu'), target: '#main.menu' },
        { guard: chose('counsellor'), actions: handoff },
        { actions: reask },
      ],
      TEXT: spec.text ?? { actions: reask },
      LOCATION: spec.location ?? { actions: reask },
      ATTACHMENT: spec.attachment ?? { actions: reask },
      ...(spec.result ? { RESULT: spec.result } : {}),
    },
  };
}

/** A state that waits for an effect's RESULT within the same turn (no prompt of its own). */
function waiting(spec: { entry: unknown[]; back: string; result: Transition[] }): any {
  return {
    entry: spec.entry,
    on: {
      RESULT: spec.result,
      BACK: spec.back,
      RESUME: { target: spec.back, actions: sayResumed },
      CHOICE: spec.back,
      TEXT: spec.back,
      LOCATION: spec.back,
      ATTACHMENT: spec.back,
    },
  };
}

// ---------------------------------------------------------------- report
const setDraft = (patch: (args: Args) => Partial<ReportDraft>) =>
  assign({ draft: (args: Args) => ({ ...draftOf(args.context), ...patch(args) }) } as any);
const editing = ({ context }: { context: MainContext }) => context.editing;
/** After an answer: back to the summary when editing one field, else on to the next question. */
const next = (target: string, actions: unknown[] = []) => [
  { guard: editing, target: 'summary', actions: [...actions, assign({ editing: false } as any)] },
  { target, actions },
];
const withNav = (choices: ChoiceSpec[], extra: ChoiceSpec[] = []) => [...choices, ...extra, ...NAV];

const PLACE_CHOICES: ChoiceSpec[] = [
  { id: 'place.abroad', key: 'report:place.abroad' },
  { id: 'place.unknown', key: 'report:place.unknown' },
  { id: 'place.list', key: 'flows:showProvinceList' },
];
const HELP_PLACE_CHOICES: ChoiceSpec[] = [
  { id: 'where.all', key: 'help:nationwide' },
  { id: 'place.list', key: 'flows:showProvinceList' },
];

/**
 * Typed place names: a 2025 unit (or an old name of one) → `done` with the slug assigned; "abroad"
 * → `abroad`; an ambiguous abbreviation → `pick` with the candidates; otherwise a hint.
 */
function provinceText(opts: { done: string; abroad?: string; pick: string; set: (context: MainContext, slug: string) => Partial<MainContext>; hint: ChoiceSpec[] }): Transition[] {
  const match = ({ event }: { event: FlowEvent }) => resolveProvince(textOf(event));
  return [
    {
      guard: (a: Args) => match(a).kind === 'province',
      target: opts.done,
      actions: assign((a: Args) => opts.set(a.context, (match(a) as { slug: string }).slug) as any),
    },
    ...(opts.abroad ? [{ guard: (a: Args) => match(a).kind === 'abroad', target: opts.abroad }] : []),
    {
      guard: (a: Args) => match(a).kind === 'ambiguous',
      target: opts.pick,
      actions: assign({ provinceCandidates: (a: Args) => (match(a) as { slugs: string[] }).slugs } as any),
    },
    { actions: [say(reply('flows:provinceNotFound')), say(reply('flows:provinceHint', withNav(opts.hint)))] },
  ];
}
const setReportProvince = (context: MainContext, slug: string): Partial<MainContext> => ({ draft: { ...draftOf(context), province: slug, country: null } });
const setHelpProvince = (context: MainContext, slug: string): Partial<MainContext> => ({ dir: { ...context.dir, province: slug, latitude: null, longitude: null, page: 0 } });
const reportPlaceText = provinceText({ done: 'placeDone', abroad: 'country', pick: 'provincePick', set: setReportProvince, hint: PLACE_CHOICES });
const pickedProvince = (set: (context: MainContext, slug: string) => Partial<MainContext>) =>
  assign(({ context, event }: Args) => set(context, suffix(event)) as any);

const reportStates = {
  id: 'report',
  initial: 'intro',
  states: {
    intro: ask({
      prompt: reply('report:intro', withNav([{ id: 'report.new', key: 'report:new' }, { id: 'report.followUp', key: 'report:followUp' }])),
      back: '#main.menu',
      choice: [
        { guard: chose('report.new'), target: 'category', actions: assign({ draft: () => ({}), editing: false } as any) },
        { guard: chose('report.followUp'), target: 'followRef' },
      ],
    }),
    draftFound: ask({
      prompt: reply('report:draftFound', withNav([{ id: 'draft.continue', key: 'report:draftContinue' }, { id: 'draft.restart', key: 'report:draftRestart' }, { id: 'report.followUp', key: 'report:followUp' }])),
      back: '#main.menu',
      choice: [
        { guard: chose('draft.continue'), target: 'summary' },
        { guard: chose('draft.restart'), target: 'category', actions: assign({ draft: () => ({}), editing: false } as any) },
        { guard: chose('report.followUp'), target: 'followRef' },
      ],
    }),
    category: ask({
      prompt: reply('report:askCategory', withNav(list('cat', 'report:category', CATEGORIES))),
      back: 'intro',
      choice: next('province', [setDraft(({ event }) => ({ category: suffix(event) }))]).map((t) => guardChoice(t, choseIn('cat'))),
    }),
    province: ask({
      prompt: reply('report:askProvince', withNav(PLACE_CHOICES)),
      back: 'category',
      choice: [
        { guard: chose('place.abroad'), target: 'country' },
        { guard: chose('place.unknown'), target: 'placeDone', actions: setDraft(() => ({ province: null, country: null })) },
        { guard: chose('place.list'), target: 'provinceList' },
      ],
      text: reportPlaceText,
    }),
    provinceList: ask({
      prompt: reply('flows:pickProvince', withNav(PROVINCE_CHOICES)),
      back: 'province',
      choice: [{ guard: choseIn('prov'), target: 'placeDone', actions: pickedProvince(setReportProvince) }],
      text: reportPlaceText,
    }),
    provincePick: ask({
      prompt: ({ context }) => reply('flows:pickProvince', withNav(context.provinceCandidates.map((slug) => ({ id: `prov.${slug}`, key: `geo:${slug}` })), [PLACE_CHOICES[2]!])),
      back: 'province',
      choice: [
        { guard: choseIn('prov'), target: 'placeDone', actions: pickedProvince(setReportProvince) },
        { guard: chose('place.list'), target: 'provinceList' },
      ],
      text: reportPlaceText,
    }),
    /** Transient: on to "when", or back to the summary when only the place was being edited. */
    placeDone: { always: next('when') },
    country: ask({
      prompt: reply('report:askCountry', withNav(list('country', 'report:country', COUNTRIES))),
      back: 'province',
      choice: next('when', [setDraft(({ event }) => ({ province: ABROAD, country: suffix(event) }))]).map((t) => guardChoice(t, choseIn('country'))),
      text: next('when', [setDraft(({ event }) => ({ province: ABROAD, country: clip(textOf(event), 80) }))]),
    }),
    when: ask({
      prompt: reply('report:askWhen', withNav(list('when', 'report:when', WHEN))),
      back: 'province',
      choice: next('peopleCount', [setDraft(({ event }) => ({ when: suffix(event) }))]).map((t) => guardChoice(t, choseIn('when'))),
      text: next('peopleCount', [setDraft(({ event }) => ({ when: clip(textOf(event), 200) }))]),
    }),
    peopleCount: ask({
      prompt: reply('report:askPeopleCount', withNav(list('count', 'report:peopleCount', PEOPLE_COUNT))),
      back: 'when',
      choice: next('peopleAge', [setDraft(({ event }) => ({ peopleCount: suffix(event) }))]).map((t) => guardChoice(t, choseIn('count'))),
      text: next('peopleAge', [setDraft(({ event }) => ({ peopleCount: clip(textOf(event), 100) }))]),
    }),
    peopleAge: ask({
      prompt: reply('report:askPeopleAge', withNav(list('age', 'report:peopleAge', PEOPLE_AGE))),
      back: 'peopleCount',
      choice: next('peopleGender', [setDraft(({ event }) => ({ peopleAge: suffix(event) }))]).map((t) => guardChoice(t, choseIn('age'))),
      text: next('peopleGender', [setDraft(({ event }) => ({ peopleAge: clip(textOf(event), 100) }))]),
    }),
    peopleGender: ask({
      prompt: reply('report:askPeopleGender', withNav(list('gender', 'report:peopleGender', PEOPLE_GENDER))),
      back: 'peopleAge',
      choice: next('suspects', [setDraft(({ event }) => ({ peopleGender: suffix(event) }))]).map((t) => guardChoice(t, choseIn('gender'))),
      text: next('suspects', [setDraft(({ event }) => ({ peopleGender: clip(textOf(event), 100) }))]),
    }),
    suspects: ask({
      prompt: reply('report:askSuspects', withNav([SKIP])),
      back: 'peopleGender',
      choice: next('contactMethod', [setDraft(() => ({ suspects: null }))]).map((t) => guardChoice(t, chose('skip'))),
      text: next('contactMethod', [setDraft(({ event }) => ({ suspects: clip(textOf(event)) }))]),
    }),
    contactMethod: ask({
      prompt: reply('report:askContactMethod', withNav([...list('via', 'report:contactMethod', CONTACT_METHODS), SKIP])),
      back: 'suspects',
      choice: [
        ...next('evidence', [setDraft(({ event }) => ({ contactMethod: suffix(event) }))]).map((t) => guardChoice(t, choseIn('via'))),
        ...next('evidence', [setDraft(() => ({ contactMethod: null }))]).map((t) => guardChoice(t, chose('skip'))),
      ],
      text: next('evidence', [setDraft(({ event }) => ({ contactMethod: clip(textOf(event), 300) }))]),
    }),
    evidence: ask({
      prompt: reply('report:askEvidence', withNav([SKIP])),
      back: 'contactMethod',
      choice: next('danger', [setDraft(() => ({ evidence: null }))]).map((t) => guardChoice(t, chose('skip'))),
      text: next('danger', [setDraft(({ event }) => ({ evidence: clip(textOf(event)) }))]),
      attachment: { actions: [say(reply('report:attachmentNotKept')), say(reply('report:askEvidence', withNav([SKIP])))] },
    }),
    danger: ask({
      prompt: reply('report:askDanger', withNav(YES_NO_UNSURE)),
      back: 'evidence',
      choice: [
        { guard: chose('yes'), target: 'dangerPaused', actions: [setDraft(() => ({ inDanger: true })), emit((): FlowOutput => ({ type: 'handoff', reason: 'in_danger' }))] },
        ...next('contactConsent', [setDraft(() => ({ inDanger: false }))]).map((t) => guardChoice(t, (a: Args) => chose('no')(a) || chose('unsure')(a))),
      ],
    }),
    /** A counsellor has the chat; the draft waits here. When the chat comes back, carry on. */
    dangerPaused: {
      on: {
        RESUME: { target: 'contactConsent', actions: sayResumed },
        BACK: 'danger',
        CHOICE: 'contactConsent',
        TEXT: 'contactConsent',
        LOCATION: 'contactConsent',
        ATTACHMENT: 'contactConsent',
      },
    },
    contactConsent: ask({
      prompt: reply('report:askContactConsent', withNav([{ id: 'consent.no', key: 'report:consentNo' }, { id: 'consent.yes', key: 'report:consentYes' }])),
      back: 'danger',
      choice: [
        { guard: chose('consent.no'), target: 'summary', actions: [setDraft(() => ({ contactConsent: false, contact: null })), assign({ editing: false } as any)] },
        { guard: chose('consent.yes'), target: 'contactDetails' },
      ],
    }),
    contactDetails: ask({
      prompt: reply('report:askContact', NAV),
      back: 'contactConsent',
      text: { target: 'summary', actions: [setDraft(({ event }) => ({ contactConsent: true, contact: clip(textOf(event), 200) })), assign({ editing: false } as any)] },
    }),
    summary: ask({
      entry: [effect('report.summary', ({ context }) => ({ draft: draftOf(context) }))],
      prompt: reply('report:confirm', [
        { id: 'summary.submit', key: 'report:submit' },
        { id: 'summary.edit', key: 'report:edit' },
        { id: 'summary.cancel', key: 'report:cancel' },
        COUNSELLOR_CHOICE,
      ]),
      back: 'contactConsent',
      choice: [
        { guard: (a: Args) => chose('summary.submit')(a) && !draftOf(a.context).category, target: 'category' },
        { guard: chose('summary.submit'), target: 'submitting' },
        { guard: chose('summary.edit'), target: 'editPick' },
        { guard: chose('summary.cancel'), target: '#main.menu', actions: [assign({ draft: null, editing: false } as any), say(reply('report:cancelled'))] },
      ],
    }),
    editPick: ask({
      prompt: reply('report:editWhich', withNav(list('edit', 'report:field', EDIT_FIELDS))),
      back: 'summary',
      choice: EDIT_FIELDS.map((field) => ({ guard: chose(`edit.${field}`), target: field, actions: assign({ editing: true } as any) })),
    }),
    submitting: waiting({
      entry: [effect('report.submit', ({ context }) => ({ draft: draftOf(context) }))],
      back: 'summary',
      result: [
        { guard: ({ event }: Args) => Boolean(resultOf(event, 'report.submit')?.ok), target: 'submitted', actions: assign({ draft: null, editing: false } as any) },
        { target: 'summary', actions: say(reply('flows:effectFailed')) },
      ],
    }),
    submitted: ask({
      prompt: reply('report:afterSubmit', [{ id: 'report.followUp', key: 'report:followUp' }, COUNSELLOR_CHOICE, { id: 'nav.menu', key: 'common.menu' }]),
      back: '#main.menu',
      choice: [{ guard: chose('report.followUp'), target: 'followRef' }],
    }),
    followRef: ask({
      prompt: reply('report:askReference', NAV),
      back: 'intro',
      text: { target: 'followCode', actions: assign({ followUp: ({ event }: Args) => ({ reference: clip(textOf(event), 40) }) } as any) },
    }),
    followCode: ask({
      prompt: reply('report:askCode', NAV),
      back: 'followRef',
      text: { target: 'followChecking', actions: effect('report.lookup', ({ context, event }) => ({ reference: context.followUp.reference ?? '', code: clip(textOf(event), 40) })) },
    }),
    followChecking: waiting({
      entry: [],
      back: 'followRef',
      result: [
        {
          guard: ({ event }: Args) => Boolean(resultOf(event, 'report.lookup')?.ok),
          target: 'followFound',
          actions: assign({ followUp: ({ event }: Args) => ({ reportId: String(resultOf(event, 'report.lookup')?.data?.reportId ?? ''), referenceCode: String(resultOf(event, 'report.lookup')?.data?.referenceCode ?? '') }) } as any),
        },
        { guard: ({ event }: Args) => resultOf(event, 'report.lookup')?.data?.reason === 'rate_limited', target: 'intro', actions: [assign({ followUp: {} } as any), say(reply('report:rateLimited'))] },
        { target: 'followRef', actions: [assign({ followUp: {} } as any), say(reply('report:notFound'))] },
      ],
    }),
    followFound: ask({
      prompt: reply('report:followOptions', [{ id: 'follow.add', key: 'report:addInfo' }, COUNSELLOR_CHOICE, { id: 'nav.menu', key: 'common.menu' }]),
      back: 'intro',
      choice: [{ guard: chose('follow.add'), target: 'followAdd' }],
    }),
    followAdd: ask({
      prompt: reply('report:askAddition', NAV),
      back: 'followFound',
      text: { target: 'followAdding', actions: effect('report.add', ({ context, event }) => ({ reportId: context.followUp.reportId ?? '', text: clip(textOf(event)) })) },
    }),
    followAdding: waiting({
      entry: [],
      back: 'followFound',
      result: [
        { guard: ({ event }: Args) => Boolean(resultOf(event, 'report.add')?.ok), target: 'followFound', actions: say(reply('report:added')) },
        { target: 'followFound', actions: say(reply('flows:effectFailed')) },
      ],
    }),
  },
};

function guardChoice(t: Record<string, unknown>, g: (a: Args) => boolean): Record<string, unknown> {
  const inner = t.guard as ((a: Args) => boolean) | undefined;
  return { ...t, guard: inner ? (a: Args) => g(a) && inner(a) : g };
}


// ---------------------------------------------------------------- rights (FAQ)
const TOPIC_CHOICES: ChoiceSpec[] = Object.keys(FAQ_TOPICS).map((t) => ({ id: `topic.${t}`, key: `rights:topic.${t}` }));
const SEARCH_CHOICE: ChoiceSpec = { id: 'rights.search', key: 'rights:searchButton' };
const faqChoice = (id: string): ChoiceSpec => ({ id: `faq.${id}`, key: `faq:items.${id}.q` });
const searchFor = (query: (a: Args) => string) => effect('faq.search', (a) => ({ query: query(a) }));
const openAnswer = (from: 'topic' | 'search') =>
  assign({ faq: ({ context, event }: Args) => ({ ...context.faq, id: suffix(event), topic: topicOf(suffix(event)) ?? context.faq.topic, from }) } as any);
const searchResult = (event: FlowEvent) => resultOf(event, 'faq.search')?.data as { hits?: string[]; confident?: boolean; suggestion?: string } | undefined;

const rightsStates = {
  id: 'rights',
  initial: 'topics',
  states: {
    topics: ask({
      prompt: reply('rights:prompt', withNav([...TOPIC_CHOICES, SEARCH_CHOICE])),
      back: '#main.menu',
      choice: [
        { guard: choseIn('topic'), target: 'topic', actions: assign({ faq: ({ event }: Args) => ({ topic: suffix(event) }) } as any) },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    topic: ask({
      prompt: ({ context }) => reply('rights:topicPrompt', withNav((FAQ_TOPICS[context.faq.topic ?? ''] ?? []).map(faqChoice), [SEARCH_CHOICE])),
      back: 'topics',
      choice: [
        { guard: choseIn('faq'), target: 'answer', actions: openAnswer('topic') },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    searchAsk: ask({
      prompt: reply('rights:askQuestion', NAV),
      back: 'topics',
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    searching: waiting({
      entry: [],
      back: 'topics',
      result: [
        {
          guard: ({ event }: Args) => Boolean(searchResult(event)?.confident && searchResult(event)?.hits?.length),
          target: 'answer',
          actions: assign({ faq: ({ context, event }: Args) => ({ ...context.faq, id: searchResult(event)!.hits![0], topic: topicOf(searchResult(event)!.hits![0]!), hits: searchResult(event)!.hits, from: 'search' }) } as any),
        },
        {
          guard: ({ event }: Args) => Boolean(searchResult(event)?.hits?.length),
          target: 'results',
          actions: assign({ faq: ({ context, event }: Args) => ({ ...context.faq, hits: searchResult(event)!.hits }) } as any),
        },
        {
          target: 'noResult',
          actions: assign({ faq: ({ context, event }: Args) => ({ ...context.faq, hits: [], suggestion: searchResult(event)?.suggestion }) } as any),
        },
      ],
    }),
    results: ask({
      prompt: ({ context }) => reply('rights:results', [...(context.faq.hits ?? []).map(faqChoice), { id: 'rights.search', key: 'rights:searchAgain' }, COUNSELLOR_CHOICE, ...NAV]),
      back: 'searchAsk',
      choice: [
        { guard: choseIn('faq'), target: 'answer', actions: openAnswer('search') },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    noResult: ask({
      prompt: ({ context }) =>
        context.faq.suggestion
          ? reply('rights:didYouMean', [{ id: 'rights.suggestion', key: 'rights:suggestionButton', params: { suggestion: context.faq.suggestion } }, { id: 'rights.search', key: 'rights:searchAgain' }, COUNSELLOR_CHOICE, ...NAV], { suggestion: context.faq.suggestion })
          : reply('rights:noResult', [{ id: 'rights.search', key: 'rights:searchAgain' }, { id: 'rights.topics', key: 'rights:browseTopics' }, COUNSELLOR_CHOICE, ...NAV]),
      back: 'topics',
      choice: [
        { guard: chose('rights.suggestion'), target: 'searching', actions: searchFor(({ context }) => context.faq.suggestion ?? '') },
        { guard: chose('rights.search'), target: 'searchAsk' },
        { guard: chose('rights.topics'), target: 'topics' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
    answer: ask({
      prompt: ({ context }) =>
        reply(`faq:items.${context.faq.id}.a`, [
          { id: 'rights.more', key: 'rights:moreOnTopic' },
          { id: 'rights.search', key: 'rights:searchButton' },
          COUNSELLOR_CHOICE,
          ...NAV,
        ]),
      back: 'topic',
      choice: [
        { guard: chose('rights.more'), target: 'topic' },
        { guard: chose('rights.search'), target: 'searchAsk' },
      ],
      text: { target: 'searching', actions: searchFor(({ event }) => textOf(event)) },
    }),
  },
};

// ---------------------------------------------------------------- find help (directory)
const helpSearch = effect('directory.search', ({ context }) => ({ ...context.dir }));
const helpStates = {
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
      prompt: ({ context }) => reply('flows:pickProvince', withNav(context.provinceCandidates.map((slug) => ({ id: `prov.${slug}`, key: `geo:${slug}` })), [HELP_PLACE_CHOICES[1]!])),
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

// ---------------------------------------------------------------- spot the signs
const signStates: Record<string, unknown> = {
  intro: ask({
    prompt: reply('signs:intro', withNav([{ id: 'signs.start', key: 'signs:start' }])),
    back: '#main.menu',
    choice: [{ guard: chose('signs.start'), target: SIGN_QUESTIONS[0], actions: assign({ signs: {} } as any) }],
  }),
};
SIGN_QUESTIONS.forEach((q, i) => {
  const nextState = SIGN_QUESTIONS[i + 1] ?? 'result';
  const record = (answer: SignAnswer) => assign({ signs: ({ context }: Args) => ({ ...context.signs, [q]: answer }) } as any);
  signStates[q] = ask({
    prompt: reply(`signs:q.${q}`, withNav(YES_NO_UNSURE), { n: i + 1, total: SIGN_QUESTIONS.length }),
    back: i === 0 ? 'intro' : SIGN_QUESTIONS[i - 1]!,
    choice: (['yes', 'no', 'unsure'] as const).map((answer) => ({ guard: chose(answer), target: nextState, actions: record(answer) })),
  });
});
signStates.result = ask({
  prompt: ({ context }) =>
    reply(`signs:result.${riskLevel(context.signs ?? {})}`, [
      { id: 'signs.report', key: 'signs:reportIt' },
      COUNSELLOR_CHOICE,
      { id: 'signs.help', key: 'signs:findHelp' },
      ...NAV,
    ], { count: Object.values(context.signs ?? {}).filter((a) => a === 'yes').length }),
  back: SIGN_QUESTIONS[SIGN_QUESTIONS.length - 1]!,
  choice: [
    { guard: chose('signs.report'), target: '#report.province', actions: assign({ draft: () => ({ category: 'job_offer' }), editing: false } as any) },
    { guard: chose('signs.help'), target: '#help.need' },
  ],
});

// ---------------------------------------------------------------- main
const hasDraft = ({ context }: { context: MainContext }) => Boolean(context.draft?.category);

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
      entry: { type: 'say', params: { key: 'menu.prompt', choices: MENU_CHOICES } },
      on: {
        CHOICE: [
          { guard: chose('counsellor'), actions: 'askCounsellor' },
          { guard: (a) => chose('report')(a) && hasDraft(a), target: '#report.draftFound' },
          { guard: chose('report'), target: '#report.intro' },
          { guard: chose('rights'), target: '#rights.topics' },
          { guard: chose('help'), target: '#help.need' },
          { guard: chose('signs'), target: '#signs.intro' },
          { guard: chose('nav.menu'), target: 'menu', reenter: true },
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
        CHOICE: [{ guard: chose('delete.yes'), target: 'welcome', actions: ['erase', assign(initialContext)] }, { target: 'menu' }],
        TEXT: 'menu',
        BACK: 'menu',
        RESUME: { target: 'confirmDelete', reenter: true, actions: { type: 'say', params: { key: 'common.resumed' } } },
      },
    },
    report: reportStates as any,
    rights: rightsStates as any,
    help: helpStates as any,
    signs: { id: 'signs', initial: 'intro', states: signStates } as any,
  },
});
