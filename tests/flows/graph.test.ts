/**
 * Walks the persisted `main` machine (no database): every state node is reachable from a fresh
 * conversation, none is a dead end, and every state answers BACK, MENU, LANG, COUNSELLOR and
 * RESUME. Events tried in each state are the choices it offered plus typed text, locations,
 * attachments and every effect RESULT.
 */
import { getStateNodes } from '@xstate/graph';
import { createActor, type AnyMachineSnapshot } from 'xstate';
import { describe, expect, it } from 'vitest';
import { mainFlow } from '../../flows/index.js';
import type { FlowEvent, FlowOutput } from '../../flows/types.js';

const machine = mainFlow.machine;

function step(snapshot: unknown | undefined, event: FlowEvent | null): { snapshot: unknown; value: string; outputs: FlowOutput[] } {
  const outputs: FlowOutput[] = [];
  const actor = createActor(machine, snapshot ? { snapshot: snapshot as never } : {});
  actor.on('*', (e: unknown) => outputs.push(e as FlowOutput));
  actor.start();
  if (event) actor.send(event);
  const snap = actor.getSnapshot() as AnyMachineSnapshot;
  expect(snap.status).toBe('active');
  const persisted = actor.getPersistedSnapshot();
  actor.stop();
  // States are told apart by value, and by whether a report draft is kept (the menu then offers to continue it).
  const draft = (snap.context as { draft?: { category?: string } | null }).draft?.category ? '+draft' : '';
  return { snapshot: JSON.parse(JSON.stringify(persisted)), value: JSON.stringify(snap.value) + draft, outputs };
}

const TEXTS = ['1', 'ha giang', 'dn', 'Binh Duong', 'nuoc ngoai', 'quyen loi nan nhan', 'zzzz qqqq', 'HT-2345-6789'];
const RESULTS: FlowEvent[] = [
  { type: 'RESULT', name: 'report.submit', ok: true, data: { reportId: 'r1', referenceCode: 'HT-2345-6789' } },
  { type: 'RESULT', name: 'report.submit', ok: false },
  { type: 'RESULT', name: 'report.lookup', ok: true, data: { reportId: 'r1', referenceCode: 'HT-2345-6789' } },
  { type: 'RESULT', name: 'report.lookup', ok: false, data: { reason: 'invalid' } },
  { type: 'RESULT', name: 'report.lookup', ok: false, data: { reason: 'rate_limited' } },
  { type: 'RESULT', name: 'report.add', ok: true },
  { type: 'RESULT', name: 'faq.search', ok: true, data: { hits: ['who_is_victim'], confident: true } },
  { type: 'RESULT', name: 'faq.search', ok: true, data: { hits: ['who_is_victim', 'privacy'], confident: false } },
  { type: 'RESULT', name: 'faq.search', ok: true, data: { hits: [], confident: false, suggestion: 'nan nhan' } },
  { type: 'RESULT', name: 'faq.search', ok: true, data: { hits: [], confident: false } },
  { type: 'RESULT', name: 'directory.search', ok: true, data: { hasMore: true } },
  { type: 'RESULT', name: 'directory.search', ok: true, data: { hasMore: false } },
];

const offered = (outputs: FlowOutput[]) => outputs.flatMap((o) => (o.type === 'reply' ? (o.choices ?? []).map((c) => c.id) : []));

interface Visit {
  snapshot: unknown;
  outputs: FlowOutput[];
}

function walk(): Map<string, Visit> {
  const start = step(undefined, null);
  const seen = new Map<string, Visit>([[start.value, { snapshot: start.snapshot, outputs: start.outputs }]]);
  const queue = [start.value];
  while (queue.length) {
    const value = queue.shift()!;
    const visit = seen.get(value)!;
    const events: FlowEvent[] = [
      ...offered(visit.outputs).map((id): FlowEvent => ({ type: 'CHOICE', id })),
      ...TEXTS.map((text): FlowEvent => ({ type: 'TEXT', text })),
      { type: 'LOCATION', latitude: 10.98, longitude: 106.65 },
      { type: 'ATTACHMENT', attachmentType: 'photo' },
      { type: 'BACK' },
      { type: 'MENU' },
      { type: 'RESUME' },
      { type: 'LANG' },
      { type: 'DELETE' },
      ...RESULTS,
    ];
    for (const event of events) {
      const next = step(visit.snapshot, event);
      if (!seen.has(next.value)) {
        seen.set(next.value, { snapshot: next.snapshot, outputs: next.outputs });
        queue.push(next.value);
      }
    }
  }
  return seen;
}

describe('the main flow graph', () => {
  const visited = walk();
  const leafPaths = getStateNodes(machine.root)
    .filter((node) => node.type === 'atomic')
    .map((node) => node.path.join('.'));
  const visitedPaths = [...visited.keys()].map((v) => {
    const parse = (x: unknown): string => (typeof x === 'string' ? x : Object.entries(x as Record<string, unknown>).map(([k, inner]) => `${k}.${parse(inner)}`)[0]!);
    return parse(JSON.parse(v.replace(/\+draft$/, '')));
  });

  it('reaches every state of the machine', () => {
    expect(leafPaths.length).toBeGreaterThan(50);
    // Transient (eventless) states are passed through, never rested in.
    const transient = getStateNodes(machine.root).filter((node) => node.always?.length).map((node) => node.path.join('.'));
    expect(transient).toEqual(['help.whereAbroad']);
    const missing = leafPaths.filter((p) => !visitedPaths.includes(p) && !transient.includes(p));
    expect(missing).toEqual([]);
  });

  it('has no dead end: from every state the menu is one step away and some answer moves on', () => {
    for (const [value, visit] of visited) {
      expect(step(visit.snapshot, { type: 'MENU' }).value).toMatch(/^"menu"/);
      const moves = [...offered(visit.outputs).map((id): FlowEvent => ({ type: 'CHOICE', id })), ...TEXTS.map((text): FlowEvent => ({ type: 'TEXT', text })), ...RESULTS, { type: 'RESUME' } as FlowEvent];
      expect(moves.some((e) => step(visit.snapshot, e).value !== value), value).toBe(true);
    }
  });

  it('answers BACK, LANG, COUNSELLOR and RESUME in every state', () => {
    for (const [value, visit] of visited) {
      const back = step(visit.snapshot, { type: 'BACK' });
      if (!/^"(welcome|menu)"/.test(value)) expect(back.value, `BACK in ${value}`).not.toBe(value);
      const lang = step(visit.snapshot, { type: 'LANG', locale: 'en' });
      expect(lang.outputs).toContainEqual({ type: 'setLocale', locale: 'en' });
      expect(step(visit.snapshot, { type: 'COUNSELLOR' }).outputs).toContainEqual({ type: 'handoff', reason: 'user_request' });
      const resumed = step(visit.snapshot, { type: 'RESUME' });
      // RESUME says the assistant is back and asks again (or moves on from a paused/transient state).
      expect(resumed.outputs.some((o) => o.type === 'reply' && o.key === 'common.resumed'), `RESUME in ${value}`).toBe(true);
      expect(resumed.outputs.filter((o) => o.type === 'reply' || o.type === 'effect').length, `RESUME in ${value}`).toBeGreaterThanOrEqual(2);
    }
  });

  it('re-asks the current question after RESUME (same state, same prompt)', () => {
    for (const [value, visit] of visited) {
      const prompt = visit.outputs.filter((o) => o.type === 'reply').at(-1);
      const resumed = step(visit.snapshot, { type: 'RESUME' });
      if (resumed.value === value && prompt && !value.startsWith('"welcome"')) expect(resumed.outputs.at(-1)).toEqual(prompt);
    }
  });
});
