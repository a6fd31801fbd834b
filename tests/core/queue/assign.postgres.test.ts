/**
 * Fair assignment with two instances on one PostgreSQL: passes running at the same time on both
 * never offer a chat twice nor a counsellor beyond their capacity, and each lapsed offer is handed
 * on exactly once.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db/client.js';
import type { BusEvent } from '../../../core/events/bus.js';
import { assignPass } from '../../../core/queue/assign.js';
import { createTestApp, textFrom } from '../../helpers/app.js';
import { createPostgresTestDatabase, postgresSuiteMode, TEST_DATABASE_URL } from '../../helpers/db.js';
import { recordingPort } from '../../helpers/ports.js';

const mode = postgresSuiteMode();
const OFFER_SECONDS = 30;

describe.runIf(mode === 'run')('fair assignment with two instances on one PostgreSQL', () => {
  it('offers each chat once and never beyond capacity when both assign at the same time; each lapse is handled once', async () => {
    let now = Date.now();
    const a = await createTestApp({ database: await createPostgresTestDatabase(), ports: [recordingPort()], clock: () => new Date(now) });
    const dbName = (await a.database.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`)[0]!.name;
    const url = new URL(TEST_DATABASE_URL!);
    url.pathname = `/${dbName}`;
    const b = await createTestApp({ database: await openDatabase({ kind: 'postgres', url: url.toString() }), ports: [recordingPort()], clock: () => new Date(now) });
    const local: BusEvent[] = [];
    for (const app of [a, b]) app.bus.subscribe((event, origin) => void (!origin.remote && local.push(event)));
    try {
      const counsellors: string[] = [];
      for (let i = 0; i < 3; i++) {
        const user = await a.database.prisma.staffUser.create({ data: { email: `c${i}@111.vn`, displayName: `C${i}`, role: 'counsellor', passwordHash: 'x', availability: 'available', capacity: 2 } });
        await a.database.prisma.staffSession.create({ data: { id: `session-${i}`, userId: user.id, csrfToken: 'x', expiresAt: new Date(now + 3600_000) } });
        counsellors.push(user.id);
      }
      for (let i = 0; i < 12; i++) {
        await a.runtime.handleTurn(textFrom(`two-${i}`, 'hi'));
        await a.runtime.handleTurn(textFrom(`two-${i}`, 'help me'));
      }
      const pass = (app: typeof a) => assignPass({ ...app.queue, offerSeconds: OFFER_SECONDS }, { batchSize: 3 });
      await Promise.all([pass(a), pass(b), pass(a), pass(b), pass(a), pass(b)]);
      const offered = await a.database.prisma.handoff.findMany({ where: { offeredToId: { not: null } } });
      expect(offered).toHaveLength(6);
      for (const id of counsellors) expect(offered.filter((h) => h.offeredToId === id)).toHaveLength(2);
      const offers = local.filter((e) => e.type === 'handoff.offered');
      expect(offers).toHaveLength(6);
      expect(new Set(offers.map((e) => (e as { handoffId: string }).handoffId)).size).toBe(6);

      // Every offer lapses; both instances look at once: each lapse is handled once, everyone is set away.
      now += (OFFER_SECONDS + 1) * 1000;
      await Promise.all([pass(a), pass(b), pass(a), pass(b)]);
      const lapsed = local.filter((e) => e.type === 'handoff.offer_ended' && e.reason === 'expired');
      expect(lapsed).toHaveLength(6);
      expect(new Set(lapsed.map((e) => (e as { handoffId: string }).handoffId)).size).toBe(6);
      expect(await a.database.prisma.handoff.count({ where: { offeredToId: { not: null } } })).toBe(0);
      expect(await a.database.prisma.staffUser.count({ where: { availability: 'away', id: { in: counsellors } } })).toBe(3);
    } finally {
      await b.close();
      await a.close();
    }
  }, 120_000);
});
