/**
 * Crash safety: a reply committed but never sent (the process died between commit and send)
 * is sent exactly once by the next start, on the same embedded database directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import { createTestApp, textFrom } from '../../helpers/app.js';
import { recordingPort } from '../../helpers/ports.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it('a pending message survives a restart and is sent once', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hotline-outbox-'));
  dirs.push(dataDir);

  // First life: the turn commits its reply, but the outbox never gets to send it.
  const firstPort = recordingPort('test');
  const first = await createTestApp({ database: await openDatabase({ kind: 'pglite', dataDir }), secretDir: dataDir, ports: [firstPort] });
  const turn = await first.runtime.handleTurn(textFrom('restart-user', 'hello'));
  expect(turn.outboundIds).toHaveLength(1);
  await first.close(); // closed without a sweep: the "crash"
  expect(firstPort.sent).toHaveLength(0);

  // Second life on the same directory: the dispatcher finds and sends it, once.
  const secondPort = recordingPort('test');
  const second = await createTestApp({ database: await openDatabase({ kind: 'pglite', dataDir }), secretDir: dataDir, ports: [secondPort] });
  try {
    // The same secret after a restart (no APP_SECRET set: the one generated into the data directory is read back).
    expect(second.keys.pseudonymKey.equals(first.keys.pseudonymKey), 'the app secret was read back, not regenerated').toBe(true);
    second.outbox.start();
    await expect.poll(() => secondPort.sent.length, { timeout: 30_000 }).toBe(1);
    // Provably idle, not "after a while": nothing pending in the outbox, and one more full pass sends nothing.
    await expect.poll(() => second.database.prisma.message.count({ where: { direction: 'outbound', status: 'pending' } }), { timeout: 30_000 }).toBe(0);
    await second.outbox.sweep();
    expect(secondPort.sent).toHaveLength(1);
    expect(secondPort.sent[0]!.target.conversationId).toBe(turn.conversationId);
    // Sealed text still opens.
    expect(secondPort.sent[0]!.message.text.length).toBeGreaterThan(0);
    expect(secondPort.sent[0]!.message.text.startsWith('enc:')).toBe(false);
    const row = await second.database.prisma.message.findUniqueOrThrow({ where: { id: turn.outboundIds[0]! } });
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(1);
    // The person writes again after the restart: found by the pseudonym, in the same conversation, whose earlier text still opens.
    const again = await second.runtime.handleTurn(textFrom('restart-user', 'menu'));
    expect(again.conversationId).toBe(turn.conversationId);
    const inbound = await second.database.prisma.message.findMany({ where: { conversationId: turn.conversationId, direction: 'inbound' }, orderBy: { seq: 'asc' } });
    expect(inbound.map((m) => m.text)).toEqual(['hello', 'menu']);
  } finally {
    await second.close();
  }
});
