/**
 * One step of a persisted flow inside a turn: rehydrate it, feed it the event `pick` chooses (none:
 * only what starting emits), perform its outputs (an output may answer with an event fed back in the
 * same turn, bounded), and return the new snapshot. Used for the main flow and the waiting room.
 */
import type { FlowDefinition, FlowEvent, FlowOutput } from '../../flows/types.js';
import { openFlowSession, type FlowSession, type StoredFlow } from './flow-session.js';

const MAX_EFFECT_ROUNDS = 8;

export interface StepResult {
  snapshot: unknown;
  /** The state value after the step (a string or a nested object, as XState gives it). */
  value: unknown;
  /** The stored snapshot was discarded (the flow changed and no migration exists). */
  reset: boolean;
}

export async function stepFlow(
  def: FlowDefinition,
  stored: StoredFlow | null,
  pick: (session: FlowSession) => FlowEvent[] | null,
  perform: (output: FlowOutput) => Promise<FlowEvent | FlowEvent[] | void>,
  onReset?: () => void,
): Promise<StepResult> {
  const session = openFlowSession(def, stored && stored.snapshot !== null ? stored : null);
  try {
    if (session.reset) onReset?.();
    const events: FlowEvent[] = session.reset ? [{ type: 'MENU' }] : (pick(session) ?? []);
    // A first START that already knows the language replaces the welcome's language question.
    const first = events[0];
    const languageKnown = session.fresh && first?.type === 'START' && Boolean((first as { locale?: string }).locale);
    let outputs = [...(languageKnown ? [] : session.startOutputs), ...events.flatMap((e) => session.send(e))];
    for (let round = 0; outputs.length && round < MAX_EFFECT_ROUNDS; round++) {
      const followUps: FlowEvent[] = [];
      for (const output of outputs) {
        const next = await perform(output);
        if (Array.isArray(next)) followUps.push(...next);
        else if (next) followUps.push(next);
      }
      outputs = followUps.flatMap((e) => session.send(e));
    }
    const snapshot = session.persisted();
    return { snapshot, value: (snapshot as { value?: unknown } | null)?.value, reset: session.reset };
  } finally {
    session.stop();
  }
}

/** The state value of a stored snapshot, without starting it. */
export function storedValue(snapshot: unknown): unknown {
  return (snapshot as { value?: unknown } | null)?.value;
}

/** The main flow is at rest (welcome, language or menu): nothing the person started would be lost. */
export function atRest(value: unknown): boolean {
  return value === undefined || value === 'menu' || value === 'welcome' || value === 'language';
}

/** A report draft is in progress in the main flow's stored context. */
export function reportInProgress(snapshot: unknown): boolean {
  const context = (snapshot as { context?: { draft?: { category?: unknown } | null } } | null)?.context;
  return Boolean(context?.draft?.category);
}
