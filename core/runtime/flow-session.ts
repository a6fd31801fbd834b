/**
 * Rehydrates a flow's XState actor from its persisted snapshot for one turn, feeds it events and
 * collects what it emits. Nothing here touches the database or a channel.
 */
import { createActor, type AnyActor } from 'xstate';
import type { FlowDefinition, FlowEvent, FlowOutput } from '../../flows/types.js';

export interface StoredFlow {
  machineId: string;
  machineVersion: number;
  snapshot: unknown;
}

export interface FlowSession {
  /** True when a new actor was started (first contact, or an old snapshot could not be restored). */
  readonly fresh: boolean;
  /** True when a stored snapshot was discarded because the flow changed and no migration exists. */
  readonly reset: boolean;
  /** Outputs emitted while starting (a fresh actor's entry actions). */
  readonly startOutputs: FlowOutput[];
  send(event: FlowEvent): FlowOutput[];
  /** Whether the current state carries `tag`. */
  hasTag(tag: string): boolean;
  persisted(): unknown;
  stop(): void;
}

function migrate(def: FlowDefinition, stored: StoredFlow): unknown | undefined {
  let snapshot = stored.snapshot;
  for (let v = stored.machineVersion; v < def.version; v++) {
    const step = def.migrations?.[v];
    if (!step) return undefined;
    snapshot = step(snapshot);
  }
  return snapshot;
}

export function openFlowSession(def: FlowDefinition, stored: StoredFlow | null): FlowSession {
  let snapshot: unknown | undefined;
  let reset = false;
  if (stored?.snapshot && stored.machineId === def.id) {
    snapshot = stored.machineVersion === def.version ? stored.snapshot : migrate(def, stored);
    reset = snapshot === undefined;
  } else if (stored?.snapshot) {
    reset = true;
  }

  const collected: FlowOutput[] = [];
  const start = (withSnapshot: unknown | undefined): AnyActor => {
    const actor = createActor(def.machine, withSnapshot ? { snapshot: withSnapshot as never } : {});
    actor.on('*', (emitted: unknown) => collected.push(emitted as FlowOutput));
    actor.start();
    const status = (actor.getSnapshot() as { status: string }).status;
    if (status === 'error') throw new Error('flow snapshot could not be restored');
    return actor;
  };

  let actor: AnyActor;
  let fresh = snapshot === undefined;
  try {
    actor = start(snapshot);
  } catch {
    // A snapshot that no longer fits the machine: start over rather than leave the chat stuck.
    collected.length = 0;
    reset = true;
    fresh = true;
    actor = start(undefined);
  }
  const startOutputs = collected.splice(0);

  return {
    fresh,
    reset,
    startOutputs,
    send(event) {
      actor.send(event);
      return collected.splice(0);
    },
    hasTag(tag) {
      return (actor.getSnapshot() as { hasTag(tag: string): boolean }).hasTag(tag);
    },
    persisted() {
      return actor.getPersistedSnapshot();
    },
    stop() {
      actor.stop();
    },
  };
}
