/**
 * The contract between pure flows and the runtime. Flows receive FlowEvents and emit FlowOutputs;
 * they never do I/O, never see a channel, and name text only by i18n key.
 */
import type { AnyStateMachine } from 'xstate';

export type Locale = 'vi' | 'en';

/** The conversations a typed keyword can open from anywhere ("báo tin", "quyền lợi", "tìm chỗ giúp"...). */
export type OpenTarget = 'report' | 'rights' | 'help' | 'signs';

export type FlowEvent =
  /** A new start; with a locale when the person already chose one (the web page's language, "/start en"): no language question. */
  | { type: 'START'; locale?: Locale }
  | { type: 'TEXT'; text: string }
  | { type: 'CHOICE'; id: string }
  | { type: 'LOCATION'; latitude: number; longitude: number }
  | { type: 'ATTACHMENT'; attachmentType: string }
  | { type: 'MENU' }
  | { type: 'BACK' }
  | { type: 'LANG'; locale?: Locale }
  | { type: 'HELP' }
  | { type: 'COUNSELLOR' }
  /** Open one of the conversations (a typed keyword such as "báo tin", from any state). */
  | { type: 'OPEN'; flow: OpenTarget }
  | { type: 'DELETE' }
  /** The chat comes back from a counsellor: repeat where the user was. */
  | { type: 'RESUME' }
  /** The result of an effect the flow asked for, fed back by the runtime in the same turn. */
  | { type: 'RESULT'; name: string; ok: boolean; data?: Record<string, unknown> }
  /**
   * The chat joined (or, with a higher risk, rejoined) the counsellor queue: the waiting flow
   * (flows/waiting) greets the person accordingly. Sent by the runtime, never typed.
   */
  | { type: 'QUEUED'; emergency: boolean; whereKnown: boolean; interrupted: boolean; reportInProgress: boolean }
  /** The person asked for a counsellor again while using the assistant in the queue: back to the waiting room. */
  | { type: 'WAIT' };

/** A choice offered to the user: a stable short id (fits Telegram's 64-byte callback data) and its label key. */
export interface ChoiceSpec {
  id: string;
  key: string;
  params?: Record<string, string | number>;
}

export interface ReplyOutput {
  type: 'reply';
  key: string;
  params?: Record<string, string | number>;
  choices?: ChoiceSpec[];
  urgent?: boolean;
  /** Params that are secrets (a follow-up code): shown once, then masked in what is kept of the message. */
  secretParams?: string[];
  /** Also list the choices, numbered, in the text (after repeated misses: typing a number always works). */
  numbered?: boolean;
}

export type FlowOutput =
  | ReplyOutput
  | { type: 'setLocale'; locale: Locale }
  /** Ask for a human: the runtime queues the chat and tells the user what happens next. */
  | {
      type: 'handoff';
      reason: 'user_request' | 'in_danger';
      categories?: string[];
      /** What the person asked for, for the counsellor (e.g. { need: 'shelter', province: 'an-giang', service: 'peace-house-cwd' }). */
      details?: Record<string, string>;
    }
  /** Erase this conversation and the user's raw platform id (the user asked). */
  | { type: 'erase' }
  /** An effect implemented by a runtime effect handler registered under `name` (report, lookup...). */
  | { type: 'effect'; name: string; data: Record<string, unknown> }
  /**
   * While waiting for a counsellor (flows/waiting): show the queue status, hand the chat to the
   * assistant while keeping the place (optionally starting a report), or cancel the request.
   */
  | { type: 'queue'; action: 'status' | 'toAssistant' | 'cancel'; start?: 'report'; forward?: FlowEvent }
  /**
   * Safety steps of an emergency: show the numbers for where the person is, remember where they
   * are (in Vietnam or abroad), or flag that their phone may be watched or they must be quick.
   */
  | { type: 'safety'; action: 'numbers' | 'setWhere' | 'flag'; where?: 'vn' | 'abroad'; flag?: 'watched' | 'hurry' };

export interface FlowDefinition {
  id: string;
  /** Bump when a change makes older snapshots unsafe to restore; add a migration when one can be written. */
  version: number;
  machine: AnyStateMachine;
  /** Snapshot migrations keyed by the version they upgrade from. */
  migrations?: Record<number, (snapshot: unknown) => unknown>;
}
