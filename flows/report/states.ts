/**
 * Filing a report in few taps, and following one up with its reference and secret code.
 *
 * Essentials first: what happened (a category, or a few typed words), where, is someone in danger
 * now, anything else to say; then the report is saved and the codes shown. Only then "add more
 * details" (when, who, how they were contacted, evidence, a way to reach the person), each answer
 * saved at once. The draft lives in the machine's context, so it survives a counsellor handoff.
 * Pure: i18n keys and ids only.
 */
import { assign, emit } from 'xstate';
import type { ChoiceSpec, FlowOutput } from '../types.js';
import { ABROAD } from '../data/provinces.js';
import { draftOf, type Args, type MainContext, type ReportDraft } from '../main/context.js';
import {
  COUNSELLOR_CHOICE, NAV, PROVINCE_CHOICES, SKIP, YES_NO_UNSURE, ask, candidateChoices, chose, choseIn, clip, effect,
  pickedProvince, provinceText, reply, resultOf, say, sayResumed, suffix, textOf, waiting, withNav, type Transition,
} from '../kit.js';
import { CATEGORIES, CONTACT_METHODS, COUNTRIES, PEOPLE_AGE, PEOPLE_COUNT, PEOPLE_GENDER, WHEN, list } from './options.js';

const setDraft = (patch: (args: Args) => Partial<ReportDraft>) =>
  assign({ draft: (args: Args) => ({ ...draftOf(args.context), ...patch(args) }) } as any);
const newDraft = (draft: (args: Args) => ReportDraft) => assign({ draft } as any);

const FOLLOW_UP: ChoiceSpec = { id: 'report.followUp', key: 'report:followUp' };
const SEND_NOW: ChoiceSpec = { id: 'report.send', key: 'report:sendNow' };
const MORE: ChoiceSpec = { id: 'report.more', key: 'report:addMore' };
const DONE: ChoiceSpec = { id: 'more.done', key: 'report:moreDone' };
const MENU: ChoiceSpec = { id: 'nav.menu', key: 'common.menu' };
const PLACE_CHOICES: ChoiceSpec[] = [
  { id: 'place.abroad', key: 'report:place.abroad' },
  { id: 'place.unknown', key: 'report:place.unknown' },
  { id: 'place.list', key: 'flows:showProvinceList' },
];
const setReportProvince = (context: MainContext, slug: string): Partial<MainContext> => ({ draft: { ...draftOf(context), province: slug, country: null } });
const reportPlaceText = provinceText({
  done: 'danger',
  abroad: 'country',
  abroadCountry: { target: 'danger', countries: COUNTRIES, set: (context, country) => ({ draft: { ...draftOf(context), province: ABROAD, country } }) },
  pick: 'provincePick',
  set: setReportProvince,
  hint: PLACE_CHOICES,
});

/** A typed follow-up reference ("HT-7K4M-Q9PX", "ht 7k4m q9px") at the first question. */
const REFERENCE = /^\s*ht[\s-]*[a-z0-9]{4}[\s-]*[a-z0-9]{4}\s*$/i;
const typedReference = ({ event }: Args) => REFERENCE.test(textOf(event));
const joinDetails = (before: string | null | undefined, added: string) => clip([before, added].filter(Boolean).join('\n'), 2000);

/** Continue a draft at its first missing essential. */
const continuing = (missing: (draft: ReportDraft) => boolean) => (a: Args) => chose('draft.continue')(a) && missing(draftOf(a.context));
const resumeDraft: Transition[] = [
  { guard: continuing((d) => !d.category), target: 'intro' },
  { guard: continuing((d) => d.province === undefined), target: 'province' },
  { guard: continuing((d) => d.inDanger === undefined), target: 'danger' },
  { guard: chose('draft.continue'), target: 'details' },
];

// ------------------------------------------------------------- after saving: more details
/** Saves part of a saved report at once (fire and forget: the effect answers nothing). */
const update = (patch: (args: Args) => Partial<ReportDraft>) =>
  effect('report.update', (args) => ({ reportId: args.context.followUp.reportId ?? '', patch: patch(args) }));

interface MoreQuestion {
  name: string;
  prompt: string;
  options?: { prefix: string; keyPrefix: string; ids: readonly string[] };
  field: keyof ReportDraft;
  /** Longest typed answer kept. */
  max: number;
}
const MORE_QUESTIONS: MoreQuestion[] = [
  { name: 'moreWhen', prompt: 'report:askWhen', options: { prefix: 'when', keyPrefix: 'report:when', ids: WHEN }, field: 'when', max: 200 },
  { name: 'morePeople', prompt: 'report:askPeopleCount', options: { prefix: 'count', keyPrefix: 'report:peopleCount', ids: PEOPLE_COUNT }, field: 'peopleCount', max: 100 },
  { name: 'moreAge', prompt: 'report:askPeopleAge', options: { prefix: 'age', keyPrefix: 'report:peopleAge', ids: PEOPLE_AGE }, field: 'peopleAge', max: 100 },
  { name: 'moreGender', prompt: 'report:askPeopleGender', options: { prefix: 'gender', keyPrefix: 'report:peopleGender', ids: PEOPLE_GENDER }, field: 'peopleGender', max: 100 },
  { name: 'moreWho', prompt: 'report:askSuspects', field: 'suspects', max: 1000 },
  { name: 'moreVia', prompt: 'report:askContactMethod', options: { prefix: 'via', keyPrefix: 'report:contactMethod', ids: CONTACT_METHODS }, field: 'contactMethod', max: 300 },
  { name: 'moreEvidence', prompt: 'report:askEvidence', field: 'evidence', max: 1000 },
];

function moreStates(): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  MORE_QUESTIONS.forEach((q, i) => {
    const nextState = MORE_QUESTIONS[i + 1]?.name ?? 'moreConsent';
    const prompt = reply(q.prompt, [...(q.options ? list(q.options.prefix, q.options.keyPrefix, q.options.ids) : []), SKIP, DONE]);
    states[q.name] = ask({
      prompt,
      back: MORE_QUESTIONS[i - 1]?.name ?? 'submitted',
      choice: [
        ...(q.options ? [{ guard: choseIn(q.options.prefix), target: nextState, actions: update(({ event }) => ({ [q.field]: suffix(event) })) }] : []),
        { guard: chose('skip'), target: nextState },
        { guard: chose('more.done'), target: 'moreDone' },
      ],
      text: { target: nextState, actions: update(({ event }) => ({ [q.field]: clip(textOf(event), q.max) })) },
      ...(q.field === 'evidence' ? { attachment: { actions: [say(reply('report:attachmentNotKept')), say(prompt)] } } : {}),
    });
  });
  states.moreConsent = ask({
    prompt: reply('report:askContactConsent', [{ id: 'consent.no', key: 'report:consentNo' }, { id: 'consent.yes', key: 'report:consentYes' }, DONE]),
    back: MORE_QUESTIONS.at(-1)!.name,
    choice: [
      { guard: chose('consent.no'), target: 'moreDone' },
      { guard: chose('consent.yes'), target: 'moreContact' },
      { guard: chose('more.done'), target: 'moreDone' },
    ],
  });
  states.moreContact = ask({
    prompt: reply('report:askContact', [DONE, ...NAV]),
    back: 'moreConsent',
    choice: [{ guard: chose('more.done'), target: 'moreDone' }],
    text: { target: 'moreDone', actions: update(({ event }) => ({ contactConsent: true, contact: clip(textOf(event), 200) })) },
  });
  states.moreDone = ask({
    prompt: reply('report:moreSaved', [COUNSELLOR_CHOICE, MENU]),
    back: 'submitted',
  });
  return states;
}

export const reportStates = {
  id: 'report',
  initial: 'intro',
  states: {
    /** What happened: a category, or a few typed words (kept as the report's details). */
    intro: ask({
      prompt: reply('report:intro', withNav([...list('cat', 'report:category', CATEGORIES), FOLLOW_UP])),
      back: '#main.menu',
      choice: [
        { guard: choseIn('cat'), target: 'province', actions: newDraft(({ event }) => ({ category: suffix(event) })) },
        { guard: chose('report.followUp'), target: 'followRef' },
      ],
      text: [
        { guard: typedReference, target: 'followCode', actions: assign({ followUp: ({ event }: Args) => ({ reference: clip(textOf(event), 40) }) } as any) },
        { target: 'province', actions: newDraft(({ event }) => ({ category: 'other', details: clip(textOf(event), 2000) })) },
      ],
    }),
    draftFound: ask({
      prompt: reply('report:draftFound', withNav([{ id: 'draft.continue', key: 'report:draftContinue' }, { id: 'draft.restart', key: 'report:draftRestart' }, FOLLOW_UP])),
      back: '#main.menu',
      choice: [
        ...resumeDraft,
        { guard: chose('draft.restart'), target: 'intro', actions: assign({ draft: null } as any) },
        { guard: chose('report.followUp'), target: 'followRef' },
      ],
    }),
    province: ask({
      prompt: reply('report:askProvince', withNav(PLACE_CHOICES)),
      back: 'intro',
      choice: [
        { guard: chose('place.abroad'), target: 'country' },
        { guard: chose('place.unknown'), target: 'danger', actions: setDraft(() => ({ province: null, country: null })) },
        { guard: chose('place.list'), target: 'provinceList' },
      ],
      text: reportPlaceText,
    }),
    provinceList: ask({
      prompt: reply('flows:pickProvince', withNav(PROVINCE_CHOICES)),
      back: 'province',
      choice: [{ guard: choseIn('prov'), target: 'danger', actions: pickedProvince(setReportProvince) }],
      text: reportPlaceText,
    }),
    provincePick: ask({
      prompt: ({ context }) => reply('flows:pickProvince', withNav(candidateChoices(context), [PLACE_CHOICES[2]!])),
      back: 'province',
      choice: [
        { guard: choseIn('prov'), target: 'danger', actions: pickedProvince(setReportProvince) },
        { guard: chose('place.list'), target: 'provinceList' },
      ],
      text: reportPlaceText,
    }),
    country: ask({
      prompt: reply('report:askCountry', withNav(list('country', 'report:country', COUNTRIES))),
      back: 'province',
      choice: [{ guard: choseIn('country'), target: 'danger', actions: setDraft(({ event }) => ({ province: ABROAD, country: suffix(event) })) }],
      text: { target: 'danger', actions: setDraft(({ event }) => ({ province: ABROAD, country: clip(textOf(event), 80) })) },
    }),
    danger: ask({
      prompt: reply('report:askDanger', withNav(YES_NO_UNSURE)),
      back: 'province',
      choice: [
        { guard: chose('yes'), target: 'dangerPaused', actions: [setDraft(() => ({ inDanger: true })), emit((): FlowOutput => ({ type: 'handoff', reason: 'in_danger' }))] },
        { guard: (a: Args) => chose('no')(a) || chose('unsure')(a), target: 'details', actions: setDraft(() => ({ inDanger: false })) },
      ],
    }),
    /** A counsellor has the chat; the draft waits here. When the chat comes back, carry on. */
    dangerPaused: {
      on: {
        RESUME: { target: 'details', actions: sayResumed },
        BACK: 'danger',
        CHOICE: 'details',
        TEXT: 'details',
        LOCATION: 'details',
        ATTACHMENT: 'details',
      },
    },
    /** Anything else to say, in the person's own words; or send now. */
    details: ask({
      prompt: reply('report:askDetails', withNav([SEND_NOW])),
      back: 'danger',
      choice: [{ guard: chose('report.send'), target: 'submitting' }],
      text: { target: 'submitting', actions: setDraft(({ context, event }) => ({ details: joinDetails(draftOf(context).details, textOf(event)) })) },
      attachment: { actions: [say(reply('report:attachmentNotKept')), say(reply('report:askDetails', withNav([SEND_NOW])))] },
    }),
    submitting: waiting({
      entry: [effect('report.submit', ({ context }) => ({ draft: draftOf(context) }))],
      back: 'details',
      result: [
        {
          guard: ({ event }: Args) => Boolean(resultOf(event, 'report.submit')?.ok),
          target: 'submitted',
          actions: assign({
            draft: null,
            followUp: ({ event }: Args) => ({ reportId: String(resultOf(event, 'report.submit')?.data?.reportId ?? ''), referenceCode: String(resultOf(event, 'report.submit')?.data?.referenceCode ?? '') }),
          } as any),
        },
        { target: 'details', actions: say(reply('flows:effectFailed')) },
      ],
    }),
    /** Saved: the codes were shown (by the effect); offer the rest of the questions. */
    submitted: ask({
      prompt: reply('report:afterSubmit', [MORE, COUNSELLOR_CHOICE, MENU]),
      back: '#main.menu',
      choice: [{ guard: chose('report.more'), target: MORE_QUESTIONS[0]!.name }],
    }),
    ...moreStates(),
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
      prompt: reply('reportmsg:followOptions', [{ id: 'follow.add', key: 'report:addInfo' }, { id: 'follow.message', key: 'reportmsg:write' }, COUNSELLOR_CHOICE, { id: 'nav.menu', key: 'common.menu' }]),
      back: 'intro',
      choice: [
        { guard: chose('follow.add'), target: 'followAdd' },
        { guard: chose('follow.message'), target: 'followMessage' },
      ],
    }),
    // A message to the hotline about the report (read in the console; the answer comes at the next follow-up).
    followMessage: ask({
      prompt: reply('reportmsg:askMessage', NAV),
      back: 'followFound',
      text: { target: 'followMessaging', actions: effect('report.message', ({ context, event }) => ({ reportId: context.followUp.reportId ?? '', text: clip(textOf(event)) })) },
    }),
    followMessaging: waiting({
      entry: [],
      back: 'followFound',
      result: [
        { guard: ({ event }: Args) => Boolean(resultOf(event, 'report.message')?.ok), target: 'followFound', actions: say(reply('reportmsg:sent')) },
        { target: 'followFound', actions: say(reply('flows:effectFailed')) },
      ],
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
