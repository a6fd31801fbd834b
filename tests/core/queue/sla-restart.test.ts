/**
 * SLA timers live in the database: a handoff that came due while the process was down gets its
 * update from the next start's scheduler loop, once, and never again from later starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import { scanSla } from '../../../core/queue/sla.js';
import { createTestApp, textFrom } from '../../helpers/app.js';
import { recordingPort } from '../../helpers/ports.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it('sends the SLA update exactly once across restarts, from the scheduler loop', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-sla-'));
  dirs.push(dataDir);
  const start = Date.now();
  const env = { HANDOFF_SLA_SECONDS: '60', SLA_SCAN_INTERVAL_MS: '100' };

  const first = await createTestApp({ database: await openDatabase({ kind: 'pglite', dataDir }), secretDir: dataDir, ports: [recordingPort()], env, clock: () => new Date(start) });
  await first.runtime.handleTurn(textFrom('sla-restart', 'hi'));
  const turn = await first.runtime.handleTurn(textFrom('sla-restart', 'help me'));
  expect(turn.handoffId).toBeTruthy();
  await first.close(); // down before the SLA came due

  // Second life, two minutes later: the loop started by listen() finds the overdue handoff.
  const port = recordingPort();
  const second = await createTestApp({ database: await openDatabase({ kind: 'pglite', dataDir }), secretDir: dataDir, ports: [port], env, clock: () => new Date(start + 120_000) });
  try {
    await second.listen();
    await expect.poll(() => port.sent.filter((s) => /113/.test(s.message.text) && s.message.author === 'system').length, { timeout: 30_000 }).toBe(1);
    const handoff = await second.database.prisma.handoff.findUniqueOrThrow({ where: { id: turn.handoffId! } });
    expect(handoff.slaNotifiedAt?.getTime()).toBe(start + 120_000);
    expect(handoff.state).toBe('waiting');
  } finally {
    await second.close();
  }

  // Third life: nothing more to send.
  const third = await createTestApp({ database: await openDatabase({ kind: 'pglite', dataDir }), secretDir: dataDir, ports: [recordingPort()], clock: () => new Date(start + 600_000) });
  try {
    expect((await scanSla(third.queue)).breached).toEqual([]);
    const updates = await third.database.prisma.message.count({ where: { conversationId: turn.conversationId, author: 'system' } });
    expect(updates).toBe(1);
  } finally {
    await third.close();
  }
});
