/**
 * The waiting room: what a person sees while their chat waits for a counsellor, so the queue is
 * never a dead end. After an emergency it first asks where they are (numbers differ in Vietnam and
 * abroad) and whether they can write safely; then it offers to tell the counsellor more, to go back
 * to the assistant while keeping their place (continuing what they started, or a report), or to
 * cancel. Whatever they type is passed to the counsellor and acknowledged.
 *
 * It runs beside the main flow (its own snapshot): in the `assistant` state the runtime feeds the
 * main flow instead, and sends WAIT when the person asks for a counsellor again.
 * Pure: i18n keys and ids only; the runtime renders numbers, positions and waits (core/safety,
 * core/queue).
 */
import { assign, emit, setup } from 'xstate';
import type { ChoiceSpec, FlowDefinition, FlowEvent, FlowOutput, Locale } from '../types.js';

export interface WaitingContext {
  emergency: boolean;
  /** Emergency guidance was given for this wait (a later emergency message does not repeat it). */
  guided: boolean;
  interrupted: boolean;
  reportInProgress: boolean;
  /** The runtime already knows whether the person is in Vietnam or abroad. */
  whereKnown: boolean;
  /** Messages passed on since the last prompt: the first gets a full acknowledgement, later ones a short one. */
  passedOn: number;
}

const WHERE_CHOICES: ChoiceSpec[] = [
  { id: 'where.vn', key: 'safety:where.vn' },
  { id: 'where.abroad', key: 'safety:where.abroad' },
];

const SAFE_CHOICES: ChoiceSpec[] = [
  { id: 'safe.yes', key: 'safety:safe.yes' },
  { id: 'safe.watched', key: 'safety:safe.watched' },
  { id: 'safe.hurry', key: 'safety:safe.hurry' },
];

const CANCEL_CHOICES: ChoiceSpec[] = [
  { id: 'cancel.yes', key: 'queue:cancelYes' },
  { id: 'cancel.no', key: 'queue:cancelNo' },
];

/** The waiting room's buttons: continue what was started (or just the assistant), a report, cancel. */
export function roomChoices(context: Pick<WaitingContext, 'interrupted' | 'reportInProgress'>): ChoiceSpec[] {
  return [
    { id: 'wait.details', key: 'queue:tellMore' },
    context.interrupted ? { id: 'wait.assistant', key: 'queue:continueStarted' } : { id: 'wait.assistant', key: 'queue:backToAssistant' },
    ...(context.reportInProgress ? [] : [{ id: 'wait.report', key: 'queue:reportWhileWaiting' }]),
    { id: 'wait.cancel', key: 'queue:cancel' },
  ];
}

type Args = { context: WaitingContext; event: FlowEvent };

const reply = (key: string, choices?: ChoiceSpec[]): FlowOutput => ({ type: 'reply', key, ...(choices ? { choices } : {}) });
const chose = (id: string) => ({ event }: { event: FlowEvent }) => event.type === 'CHOICE' && event.id === id;
const isQueued = (event: FlowEvent): event is Extract<FlowEvent, { type: 'QUEUED' }> => event.type === 'QUEUED';

const sayRoom = emit(({ context }: Args): FlowOutput => reply('queue:roomPrompt', roomChoices(context)));
const sayStatus = emit((): FlowOutput => ({ type: 'queue', action: 'status' }));
/** Passed on to the counsellor: acknowledged (in full once, then briefly), with the room's buttons kept. */
const acknowledge = [
  emit(({ context }: Args): FlowOutput => reply(context.passedOn === 0 ? 'queue:passedOn' : 'queue:passedOnShort', roomChoices(context))),
  assign({ passedOn: ({ context }: Args) => context.passedOn + 1 }),
];
const toAssistant = emit((): FlowOutput => ({ type: 'queue', action: 'toAssistant' }));
const numbers = emit((): FlowOutput => ({ type: 'safety', action: 'numbers' }));
const setWhere = (where: 'vn' | 'abroad') => emit((): FlowOutput => ({ type: 'safety', action: 'setWhere', where }));
const flag = (which: 'watched' | 'hurry') => emit((): FlowOutput => ({ type: 'safety', action: 'flag', flag: which }));
const setLocale = emit(({ event }: Args): FlowOutput => ({ type: 'setLocale', locale: (event as { locale: Locale }).locale }));
const hasLocale = ({ event }: Args) => event.type === 'LANG' && !!event.locale;

/** Buttons and words that work wherever the person is in the waiting room. */
const roomEvents: Record<string, any> = {
  CHOICE: [
    { guard: chose('wait.details'), target: '#waiting.details' },
    { guard: chose('wait.assistant'), target: '#waiting.assistant', actions: toAssistant },
    { guard: chose('wait.report'), target: '#waiting.assistant', actions: emit((): FlowOutput => ({ type: 'queue', action: 'toAssistant', start: 'report' })) },
    { guard: chose('wait.cancel'), target: '#waiting.confirmCancel' },
    { guard: chose('counsellor'), actions: sayStatus },
    { actions: acknowledge },
  ],
  TEXT: { actions: acknowledge },
  LOCATION: { actions: acknowledge },
  ATTACHMENT: { actions: acknowledge },
  MENU: { target: '#waiting.assistant', actions: toAssistant },
  BACK: { target: '#waiting.assistant', actions: toAssistant },
  START: { target: '#waiting.assistant', actions: toAssistant },
  HELP: { target: '#waiting.assistant', actions: emit((): FlowOutput => ({ type: 'queue', action: 'toAssistant', forward: { type: 'HELP' } })) },
  DELETE: { target: '#waiting.assistant', actions: emit((): FlowOutput => ({ type: 'queue', action: 'toAssistant', forward: { type: 'DELETE' } })) },
  OPEN: { target: '#waiting.assistant', actions: emit(({ event }: Args): FlowOutput => ({ type: 'queue', action: 'toAssistant', forward: event })) },
  COUNSELLOR: { actions: sayStatus },
  LANG: [{ guard: hasLocale, target: '#waiting.room', actions: setLocale }, { target: '#waiting.assistant', actions: emit((): FlowOutput => ({ type: 'queue', action: 'toAssistant', forward: { type: 'LANG' } })) }],
  RESUME: { target: '#waiting.room' },
  WAIT: { target: '#waiting.room', actions: sayStatus },
};

export const waitingMachine = setup({
  types: { context: {} as WaitingContext, events: {} as FlowEvent, emitted: {} as FlowOutput },
}).createMachine({
  id: 'waiting',
  context: { emergency: false, guided: false, interrupted: false, reportInProgress: false, whereKnown: false, passedOn: 0 },
  initial: 'idle',
  on: {
    QUEUED: [
      {
        // A first emergency in this wait: guidance, then the questions.
        guard: ({ context, event }) => isQueued(event) && event.emergency && !context.guided,
        target: '#waiting.arrive',
        actions: assign(({ context, event }) => (isQueued(event) ? { ...context, emergency: true, whereKnown: event.whereKnown, interrupted: event.interrupted || context.interrupted, reportInProgress: event.reportInProgress } : context)),
      },
      {
        guard: ({ context }) => context.guided,
        // Already guided: nothing to ask again.
      },
      {
        target: '#waiting.arrive',
        actions: assign(({ context, event }) => (isQueued(event) ? { ...context, whereKnown: event.whereKnown, interrupted: event.interrupted, reportInProgress: event.reportInProgress } : context)),
      },
    ],
  },
  states: {
    idle: {},
    arrive: {
      always: [
        { guard: ({ context }) => context.emergency && !context.whereKnown, target: 'askWhere', actions: assign({ guided: true }) },
        { guard: ({ context }) => context.emergency, target: 'askSafe', actions: assign({ guided: true }) },
        { target: 'room' },
      ],
    },
    askWhere: <any>{
      entry: emit(() => reply('safety:askWhere', WHERE_CHOICES)),
      on: {
        ...roomEvents,
        CHOICE: [
          { guard: chose('where.vn'), target: 'askSafe', actions: [setWhere('vn'), numbers] },
          { guard: chose('where.abroad'), target: 'askSafe', actions: [setWhere('abroad'), numbers] },
          ...roomEvents.CHOICE,
        ],
        TEXT: { actions: [...acknowledge, emit(() => reply('safety:askWhere', WHERE_CHOICES))] },
      },
    },
    askSafe: <any>{
      entry: emit(() => reply('safety:askSafe', SAFE_CHOICES)),
      on: {
        ...roomEvents,
        CHOICE: [
          { guard: chose('safe.yes'), target: 'room', actions: emit(() => reply('safety:safeOk')) },
          { guard: chose('safe.watched'), target: 'room', actions: [flag('watched'), emit(() => reply('safety:watchedAdvice'))] },
          { guard: chose('safe.hurry'), target: 'room', actions: [flag('hurry'), emit(() => reply('safety:hurryAdvice'))] },
          ...roomEvents.CHOICE,
        ],
        TEXT: { target: 'room', actions: acknowledge },
      },
    },
    room: <any>{
      entry: [assign({ passedOn: 0 }), sayRoom],
      on: roomEvents,
    },
    details: <any>{
      entry: [assign({ passedOn: 1 }), emit(({ context }: Args) => reply('queue:detailsPrompt', roomChoices(context).filter((c) => c.id !== 'wait.details')))],
      on: roomEvents,
    },
    confirmCancel: <any>{
      entry: emit(() => reply('queue:confirmCancel', CANCEL_CHOICES)),
      on: {
        ...roomEvents,
        CHOICE: [
          { guard: chose('cancel.yes'), target: 'cancelled', actions: emit((): FlowOutput => ({ type: 'queue', action: 'cancel' })) },
          { guard: chose('cancel.no'), target: 'room' },
          ...roomEvents.CHOICE,
        ],
        TEXT: { target: 'room', actions: acknowledge },
      },
    },
    /** The main flow answers (the runtime feeds it); the place in the queue is kept. */
    assistant: <any>{
      on: { WAIT: { target: 'room', actions: sayStatus }, RESUME: { target: 'room' } },
    },
    cancelled: {},
  },
});

export const WAITING_FLOW: FlowDefinition = { id: 'waiting', version: 1, machine: waitingMachine };

/** States in which the runtime lets the main flow answer while the chat stays in the queue. */
export function waitingHandsToAssistant(value: unknown): boolean {
  return value === 'assistant' || value === 'cancelled';
}
