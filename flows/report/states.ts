/**
 * Filing a report, and following one up with its reference and secret code. The draft lives in the
 * machine's context, so it survives a counsellor handoff. Pure: i18n keys and ids only.
 */
import { assign, emit } from 'xstate';
import type { ChoiceSpec, FlowOutput } from '../types.js';
import { ABROAD } from '../data/provinces.js';
import { draftOf, type Args, type MainContext, type ReportDraft } from '../main/context.js';
import {
  COUNSELLOR_CHOICE, NAV, PROVINCE_CHOICES, SKIP, YES_NO_UNSURE, ask, candidateChoices, chose, choseIn, clip, effect, guardChoice,
  pickedProvince, provinceText, reply, resultOf, say, sayResumed, suffix, textOf, waiting, withNav,
} from '../kit.js';
import { CATEGORIES, CONTACT_METHODS, COUNTRIES, EDIT_FIELDS, PEOPLE_AGE, PEOPLE_COUNT, PEOPLE_GENDER, WHEN, list } from './options.js';

const setDraft = (patch: (args: Args) => Partial<ReportDraft>) =>
  assign({ draft: (args: Args) => ({ ...draftOf(args.context), ...patch(args) }) } as any);
const editing = ({ context }: { context: MainContext }) => context.editing;
/** After an answer: back to the summary when editing one field, else on to the next question. */
const next = (target: string, actions: unknown[] = []) => [
  { guard: editing, target: 'summary', actions: [...actions, assign({ editing: false } as any)] },
  { target, actions },
];

const PLACE_CHOICES: ChoiceSpec[] = [
  { id: 'place.abroad', key: 'report:place.abroad' },
  { id: 'place.unknown', key: 'report:place.unknown' },
  { id: 'place.list', key: 'flows:showProvinceList' },
];
const setReportProvince = (context: MainContext, slug: string): Partial<MainContext> => ({ draft: { ...draftOf(context), province: slug, country: null } });
const reportPlaceText = provinceText({ done: 'placeDone', abroad: 'country', pick: 'provincePick', set: setReportProvince, hint: PLACE_CHOICES });

export const reportStates = {
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
      prompt: ({ context }) => reply('flows:pickProvince', withNav(candidateChoices(context), [PLACE_CHOICES[2]!])),
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
