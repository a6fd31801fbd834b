/** A conversation saved by version 1 of the main flow (the long report) carries on in version 2. */
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { mainFlow } from '../../flows/index.js';
import { openFlowSession } from '../../core/runtime/flow-session.js';

/** A version-2 snapshot moved by hand to where version 1 could have been: the same shape, a removed state. */
function v1Snapshot(reportState: string, draft: Record<string, unknown> | null): unknown {
  const actor = createActor(mainFlow.machine);
  actor.start();
  const snap = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as Record<string, unknown>;
  actor.stop();
  return { ...snap, value: { report: reportState }, context: { ...(snap.context as object), draft, editing: false } };
}

describe('main flow migrations', () => {
  it('is version 2 with a migration from 1', () => {
    expect(mainFlow.version).toBe(2);
    expect(mainFlow.migrations?.[1]).toBeTypeOf('function');
  });

  it('someone in the middle of a removed question is asked to carry on with the draft, which resumes at what is missing', () => {
    const session = openFlowSession(mainFlow, { machineId: 'main', machineVersion: 1, snapshot: v1Snapshot('peopleAge', { category: 'scam_compound', province: 'an-giang' }) });
    expect(session.reset).toBe(false);
    const asked = session.send({ type: 'TEXT', text: 'duoi 18' });
    expect(asked.at(-1)).toMatchObject({ type: 'reply', key: 'report:draftFound' });
    const resumed = session.send({ type: 'CHOICE', id: 'draft.continue' });
    expect(resumed.at(-1)).toMatchObject({ type: 'reply', key: 'report:askDanger' });
    expect((session.persisted() as { context: { draft: unknown; editing?: boolean } }).context).toMatchObject({ draft: { category: 'scam_compound', province: 'an-giang' } });
    expect((session.persisted() as { context: { editing?: boolean } }).context.editing).toBeUndefined();
    session.stop();
  });

  it('the old category question becomes the first question; states that still exist are kept', () => {
    const atCategory = openFlowSession(mainFlow, { machineId: 'main', machineVersion: 1, snapshot: v1Snapshot('category', {}) });
    expect(atCategory.send({ type: 'CHOICE', id: 'cat.job_offer' }).at(-1)).toMatchObject({ key: 'report:askProvince' });
    atCategory.stop();
    const atDanger = openFlowSession(mainFlow, { machineId: 'main', machineVersion: 1, snapshot: v1Snapshot('danger', { category: 'other', province: null }) });
    expect(atDanger.send({ type: 'CHOICE', id: 'no' }).at(-1)).toMatchObject({ key: 'report:askDetails' });
    atDanger.stop();
  });
});
