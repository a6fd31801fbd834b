/**
 * How a question state asks, goes back and re-asks: the building blocks every conversation module
 * (flows/report, flows/rights, flows/help, flows/signs) is made of. Pure: i18n keys and ids only.
 */
import { assign, emit } from 'xstate';
import type { ChoiceSpec, FlowEvent, FlowOutput, Locale, ReplyOutput } from './types.js';
import type { Args, MainContext } from './main/context.js';
import { PROVINCES, resolveProvince } from './data/provinces.js';

export const NAV: ChoiceSpec[] = [
  { id: 'nav.back', key: 'common.back' },
  { id: 'nav.menu', key: 'common.menu' },
];
export const COUNSELLOR_CHOICE: ChoiceSpec = { id: 'counsellor', key: 'menu.counsellor' };
export const SKIP: ChoiceSpec = { id: 'skip', key: 'flows:skip' };
export const YES_NO_UNSURE: ChoiceSpec[] = [
  { id: 'yes', key: 'flows:yes' },
  { id: 'no', key: 'flows:no' },
  { id: 'unsure', key: 'flows:unsure' },
];
export const PROVINCE_CHOICES: ChoiceSpec[] = PROVINCES.map((p) => ({ id: `prov.${p.slug}`, key: `geo:${p.slug}` }));

export type Prompt = ReplyOutput | ((args: Args) => ReplyOutput);
export type Transition = Record<string, unknown> | string;

const MAX_TEXT = 1000;
export const clip = (text: string, max = MAX_TEXT) => text.trim().slice(0, max);
const isChoice = (event: FlowEvent, id: string) => event.type === 'CHOICE' && event.id === id;
export const choiceId = (event: FlowEvent) => (event.type === 'CHOICE' ? event.id : '');
export const textOf = (event: FlowEvent) => (event.type === 'TEXT' ? event.text : '');
export const chose = (id: string) => ({ event }: { event: FlowEvent }) => isChoice(event, id);
export const choseIn = (prefix: string) => ({ event }: { event: FlowEvent }) => choiceId(event).startsWith(`${prefix}.`);
export const langIs = (locale: Locale) => ({ event }: { event: FlowEvent }) => event.type === 'LANG' && event.locale === locale;
/** "cat.scam_compound" → "scam_compound". */
export const suffix = (event: FlowEvent) => choiceId(event).split('.').slice(1).join('.');
export const resultOf = (event: FlowEvent, name: string) => (event.type === 'RESULT' && event.name === name ? event : undefined);

export const reply = (key: string, choices?: ChoiceSpec[], params?: Record<string, string | number>): ReplyOutput => ({
  type: 'reply',
  key,
  ...(choices ? { choices } : {}),
  ...(params ? { params } : {}),
});
export const say = (prompt: Prompt) => emit((args: Args) => (typeof prompt === 'function' ? prompt(args) : prompt) as FlowOutput);
export const effect = (name: string, data: (args: Args) => Record<string, unknown>) => emit((args: Args): FlowOutput => ({ type: 'effect', name, data: data(args) }));
export const handoff = emit((): FlowOutput => ({ type: 'handoff', reason: 'user_request' }));
export const sayResumed = emit((): FlowOutput => reply('common.resumed'));
const retry = emit((): FlowOutput => reply('flows:retry'));
const missed = assign({ misses: ({ context }: Args) => (context.misses ?? 0) + 1 } as any);
const resetMisses = assign({ misses: 0 } as any);
/** Missed twice: say so kindly, list the choices with numbers (typing one always works) and offer a counsellor. */
export const listChoices = (prompt: Prompt) =>
  emit((args: Args): FlowOutput => {
    const choices = (typeof prompt === 'function' ? prompt(args) : prompt).choices ?? [];
    const withCounsellor = choices.some((c) => c.id === COUNSELLOR_CHOICE.id) ? choices : [...choices.filter((c) => !NAV.includes(c)), COUNSELLOR_CHOICE, ...choices.filter((c) => NAV.includes(c))];
    return { ...reply('flows:retryList', withCounsellor), numbered: true };
  });
/** Re-asks after an answer that fits no choice: the question again, then (from the second miss) the numbered list. */
export const reaskFor = (prompt: Prompt) => [
  { guard: ({ context }: Args) => (context.misses ?? 0) >= 1, actions: [missed, listChoices(prompt)] },
  { actions: [missed, retry, say(prompt)] },
];
export const withNav = (choices: ChoiceSpec[], extra: ChoiceSpec[] = []) => [...choices, ...extra, ...NAV];

export interface Ask {
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
 * re-asks (kindly) when the answer does not fit; from the second miss in a row it lists the
 * choices with numbers and offers a counsellor.
 */
export function ask(spec: Ask): any {
  const reask = reaskFor(spec.prompt);
  return {
    entry: [resetMisses, ...(spec.entry ?? []), say(spec.prompt)],
    on: {
      BACK: spec.back,
      RESUME: { actions: [sayResumed, say(spec.prompt)] },
      CHOICE: [
        ...(spec.choice ?? []),
        { guard: chose('nav.back'), target: spec.back },
        { guard: chose('nav.menu'), target: '#main.menu' },
        { guard: chose('counsellor'), actions: handoff },
        ...reask,
      ],
      TEXT: spec.text ?? reask,
      LOCATION: spec.location ?? reask,
      ATTACHMENT: spec.attachment ?? reask,
      ...(spec.result ? { RESULT: spec.result } : {}),
    },
  };
}

/** A state that waits for an effect's RESULT within the same turn (no prompt of its own). */
export function waiting(spec: { entry: unknown[]; back: string; result: Transition[] }): any {
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

/** Adds a guard in front of a transition's own guard (both must hold). */
export function guardChoice(t: Record<string, unknown>, g: (a: Args) => boolean): Record<string, unknown> {
  const inner = t.guard as ((a: Args) => boolean) | undefined;
  return { ...t, guard: inner ? (a: Args) => g(a) && inner(a) : g };
}

/**
 * Typed place names: a 2025 unit (or an old name of one) → `done` with the slug assigned; "abroad"
 * → `abroad`; an ambiguous abbreviation → `pick` with the candidates; otherwise a hint.
 */
export function provinceText(opts: { done: string; abroad?: string; pick: string; set: (context: MainContext, slug: string) => Partial<MainContext>; hint: ChoiceSpec[] }): Transition[] {
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

/** A province button ("prov.<slug>") stored with `set`. */
export const pickedProvince = (set: (context: MainContext, slug: string) => Partial<MainContext>) =>
  assign(({ context, event }: Args) => set(context, suffix(event)) as any);

/** The candidates of an ambiguous place name as buttons. */
export const candidateChoices = (context: MainContext): ChoiceSpec[] => context.provinceCandidates.map((slug) => ({ id: `prov.${slug}`, key: `geo:${slug}` }));
