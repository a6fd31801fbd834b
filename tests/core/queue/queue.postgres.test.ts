import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import { scanSla } from '../../../core/queue/sla.js';
import { claimHandoff } from '../../../core/queue/operations.js';
import { createTestApp, textFrom } from '../../helpers/app.js';
import { createPostgresTestDatabase, postgresSuiteMode, TEST_DATABASE_URL } from '../../helpers/db.js';
import { recordingPort } from '../../helpers/ports.js';
import { queueSuite } from './queue.suite.js';

const mode = postgresSuiteMode();
if (mode === 'fail') {
  it('PostgreSQL queue suite needs TEST_DATABASE_URL in CI', () => {
    expect.fail('TEST_DATABASE_URL is not set: .ci/run must start PostgreSQL and export it');
  });
}
describe.runIf(mode === 'run')('counsellor queue on PostgreSQL', () => queueSuite(createPostgresTestDatabase));

describe.runIf(mode === 'run')('SLA with two instances on one PostgreSQL', () => {
  it('notifies each overdue handoff exactly once when both scan at the same time', async () => {
    const start = Date.now();
    const a = await createTestApp({ database: await createPostgresTestDatabase(), ports: [recordingPort()], clock: () => new Date(start) });
    const dbName = (await a.database.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`)[0]!.name;
    const url = new URL(TEST_DATABASE_URL!);
    url.pathname = `/${dbName}`;
    const b = await createTestApp({ database: await openDatabase({ kind: 'postgres', url: url.toString() }), ports: [recordingPort()], clock: () => new Date(start + 120_000) });
    try {
      for (let i = 0; i < 12; i++) {
        await a.runtime.handleTurn(textFrom(`two-${i}`, 'hi'));
        await a.runtime.handleTurn(textFrom(`two-${i}`, 'help me'));
      }
      const late = { ...a.queue, clock: () => new Date(start + 120_000) };
      const [x, y] = await Promise.all([scanSla(late, { batchSize: 5 }), scanSla(b.queue, { batchSize: 5 })]);
      const [x2, y2] = await Promise.all([scanSla(late), scanSla(b.queue)]);
      const all = [...x.breached, ...y.breached, ...x2.breached, ...y2.breached].map((r) => r.handoffId);
      expect(all).toHaveLength(12);
      expect(new Set(all).size).toBe(12);
      expect(await a.database.prisma.message.count({ where: { author: 'system' } })).toBe(12);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe.runIf(mode === 'run')('claims on PostgreSQL (real concurrent transactions; PGlite would serialise them)', () => {
  it('of many counsellors claiming one chat at once, exactly one wins, every time', async () => {
    const app = await createTestApp({ database: await createPostgresTestDatabase(), ports: [recordingPort()] });
    try {
      const counsellors = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => (await app.database.prisma.staffUser.create({ data: { email: `claim-${i}@111.vn`, displayName: `C${i}`, role: 'counsellor', passwordHash: 'x' } })).id),
      );
      for (let round = 0; round < 5; round++) {
        await app.runtime.handleTurn(textFrom(`claim-race-${round}`, 'hi'));
        const turn = await app.runtime.handleTurn(textFrom(`claim-race-${round}`, 'help me'));
        expect(turn.handoffId).toBeTruthy();
        const results = await Promise.allSettled(counsellors.map((counsellorId) => claimHandoff(app.queue, { handoffId: turn.handoffId!, counsellorId })));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [counsellors[i]!] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('HANDOFF_TAKEN');
        const row = await app.database.prisma.handoff.findUniqueOrThrow({ where: { id: turn.handoffId! } });
        expect(row).toMatchObject({ state: 'claimed', counsellorId: won[0] });
        // The person is told once that a counsellor took the chat.
        const told = (await app.database.prisma.message.findMany({ where: { conversationId: turn.conversationId, direction: 'outbound', author: 'system' } })).length;
        expect(told).toBe(1);
      }
    } finally {
      await app.close();
    }
  });
});
