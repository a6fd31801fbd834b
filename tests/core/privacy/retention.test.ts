/** Retention: inactive conversations are erased; queued or counsellor-held chats and reports are kept. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { applyRetention } from '../../../core/privacy/retention.js';
import { claimHandoff } from '../../../core/queue/operations.js';
import { createTestApp, choiceFrom, textFrom, type TestApp } from '../../helpers/app.js';
import { recordingPort } from '../../helpers/ports.js';

let app: TestApp;
let now = new Date('2026-01-01T00:00:00Z');
beforeEach(async () => {
  now = new Date('2026-01-01T00:00:00Z');
  app = await createTestApp({ ports: [recordingPort()], clock: () => now });
});
afterEach(async () => {
  await app.close();
});

it('erases conversations inactive past the limit, keeps recent and queued ones', async () => {
  const old = await app.runtime.handleTurn(textFrom('old-user', 'hello'));
  const waiting = await app.runtime.handleTurn(textFrom('queued-user', 'hello'));
  await app.runtime.handleTurn(choiceFrom('queued-user', 'lang.en'));
  await app.runtime.handleTurn(choiceFrom('queued-user', 'counsellor'));
  now = new Date('2026-03-20T00:00:00Z');
  const recent = await app.runtime.handleTurn(textFrom('recent-user', 'hello'));

  const result = await applyRetention(app.database.prisma, 60, new Date('2026-03-21T00:00:00Z'));
  expect(result.conversations).toBe(1);
  const ids = (await app.database.prisma.conversation.findMany({ select: { id: true } })).map((c) => c.id).sort();
  expect(ids).toEqual([waiting.conversationId, recent.conversationId].sort());
  expect(await app.database.prisma.message.count({ where: { conversationId: old.conversationId } })).toBe(0);
  expect(result.identities).toBe(1); // the old user's identity (and raw platform id) went with it
  expect(await app.database.prisma.channelIdentity.count()).toBe(2);
});

it('never erases a chat a counsellor holds, however long it has been quiet', async () => {
  await app.runtime.handleTurn(textFrom('held-user', 'hello'));
  const asked = await app.runtime.handleTurn(textFrom('held-user', 'help me'));
  expect(asked.handoffId).toBeTruthy();
  const counsellor = await app.database.prisma.staffUser.create({ data: { email: 'holder@111.vn', displayName: 'Holder', role: 'counsellor', passwordHash: 'x' } });
  await claimHandoff(app.queue, { handoffId: asked.handoffId!, counsellorId: counsellor.id });
  expect((await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: asked.conversationId } })).status).toBe('counsellor');
  const quiet = await app.runtime.handleTurn(textFrom('quiet-user', 'hello'));

  const result = await applyRetention(app.database.prisma, 60, new Date('2026-06-01T00:00:00Z'));
  expect(result.conversations).toBe(1); // the quiet bot chat only
  const left = (await app.database.prisma.conversation.findMany({ select: { id: true } })).map((c) => c.id);
  expect(left).toEqual([asked.conversationId]);
  expect(left).not.toContain(quiet.conversationId);
  expect(await app.database.prisma.handoff.count({ where: { id: asked.handoffId!, state: 'claimed', counsellorId: counsellor.id } })).toBe(1);
  expect(await app.database.prisma.message.count({ where: { conversationId: asked.conversationId } })).toBeGreaterThan(0);
});
