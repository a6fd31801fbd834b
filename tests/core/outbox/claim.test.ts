/**
 * The outbox claim reads a bounded number of rows whatever the backlog: EXPLAIN ANALYZE of the
 * real claim with 100 and with 10,000 pending messages, counting the Message rows its plan nodes
 * produced (index entries walked), on PGlite and on PostgreSQL (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma, type Database } from '../../../core/db/client.js';
import { claimDue, claimSql, recordOutcomes, type ClaimParams } from '../../../core/outbox/claim.js';
import { createPostgresTestDatabase, createTestDatabase, postgresSuiteMode } from '../../helpers/db.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Table rows read by the plan: every row a scan node produced or filtered out, over all its loops. */
function rowsRead(node: PlanNode, scans: string[] = []): { rows: number; scans: string[] } {
  let rows = 0;
  if (node['Relation Name'] && node['Node Type'] !== 'ModifyTable') {
    rows += (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops'];
    scans.push(`${node['Node Type']} ${node['Relation Name']}${node['Index Name'] ? ` ${node['Index Name']}` : ''}`);
  }
  for (const child of node.Plans ?? []) rows += rowsRead(child, scans).rows;
  return { rows, scans };
}

/** `conversations` conversations with `perConversation` pending outbound messages each, written in one statement per table. */
async function seedPending(db: Database, conversations: number, perConversation: number, at: Date): Promise<void> {
  await db.prisma.$executeRaw`
    INSERT INTO "ChannelIdentity" ("id", "channel", "userHash")
    SELECT gen_random_uuid(), 'test', 'seed-' || g FROM generate_series(1, ${conversations}::int) g`;
  await db.prisma.$executeRaw`
    INSERT INTO "Conversation" ("id", "identityId", "channel", "machineId", "machineVersion")
    SELECT gen_random_uuid(), i."id", 'test', 'main', 1 FROM "ChannelIdentity" i WHERE i."userHash" LIKE 'seed-%'`;
  // Interleaved as real turns are: message k of every conversation, then message k + 1.
  await db.prisma.$executeRaw`
    INSERT INTO "Message" ("id", "conversationId", "channel", "direction", "author", "kind", "text", "status", "nextAttemptAt", "createdAt")
    SELECT gen_random_uuid(), c."id", 'test', 'outbound', 'bot', 'text', 'reply ' || k, 'pending', ${at}, ${at}
    FROM generate_series(1, ${perConversation}::int) k CROSS JOIN "Conversation" c
    ORDER BY k, c."id"`;
}

class RolledBack extends Error {}

/** EXPLAIN ANALYZE runs the claim: inside a transaction that is rolled back, so it leases nothing. */
async function explainClaim(db: Database, params: ClaimParams) {
  let raw: unknown;
  await db.prisma
    .$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ 'QUERY PLAN': unknown }[]>(Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${claimSql(params)}`);
      raw = row!['QUERY PLAN'];
      throw new RolledBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RolledBack)) throw err;
    });
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return rowsRead(plan[0]!.Plan);
}

function suite(label: string, open: () => Promise<Database>) {
  describe(label, () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const params = (now = at): ClaimParams => ({ now, leaseUntil: new Date(now.getTime() + 30_000), batch: 20, window: 144 });
    let small: Database;
    let large: Database;
    beforeAll(async () => {
      [small, large] = await Promise.all([open(), open()]);
      await seedPending(small, 20, 5, at); // 100 pending
      await seedPending(large, 2_000, 5, at); // 10,000 pending
    }, 120_000);
    afterAll(async () => {
      await Promise.all([small?.close(), large?.close()]);
    });

    // window (due rows) + one head probe per due row + the locked and updated rows and their conversation and identity.
    const bound = 144 + 144 * 2 + 20 * 6;

    it('reads about as many rows with 10,000 pending as with 100, and no more than its window, on a table never analysed', async () => {
      expect(await large.prisma.message.count({ where: { status: 'pending' } })).toBe(10_000);
      const few = await explainClaim(small, params());
      const many = await explainClaim(large, params());
      expect(many.rows).toBeLessThanOrEqual(bound);
      expect(many.rows).toBeLessThan(10_000 / 10);
      expect(many.scans.some((s) => s.startsWith('Seq Scan'))).toBe(false);
      expect(few.rows).toBeLessThanOrEqual(bound);
      // The claim found work in both (EXPLAIN ran it; the transaction was rolled back).
      expect(await small.prisma.message.count({ where: { attempts: { gt: 0 } } })).toBe(0);
    });

    it('stays bounded once the tables are analysed', async () => {
      await large.prisma.$executeRawUnsafe('ANALYZE');
      const many = await explainClaim(large, params());
      expect(many.rows).toBeLessThanOrEqual(bound);
      expect(many.scans.some((s) => s.startsWith('Seq Scan'))).toBe(false);
    });

    it('stays bounded when the oldest messages are followers of messages in flight', async () => {
      // Lease the heads of every conversation: their followers are due but not claimable.
      const lease = { now: new Date(at.getTime() + 1), leaseUntil: new Date(at.getTime() + 60_000), batch: 2_000, window: 10_000 };
      await claimDue(large.prisma, lease);
      const { rows } = await explainClaim(large, params(new Date(at.getTime() + 2)));
      expect(rows).toBeLessThanOrEqual(bound);
    });

    it('claims only the oldest pending message of each conversation, and the next once it is recorded sent', async () => {
      const now = new Date(at.getTime() + 3);
      const first = await claimDue(small.prisma, { ...params(now), batch: 100 });
      expect(first).toHaveLength(20);
      expect(new Set(first.map((m) => m.conversationId)).size).toBe(20);
      expect(first.every((m) => m.text === 'reply 1' && m.attempts === 1)).toBe(true);
      expect(await claimDue(small.prisma, { ...params(now), batch: 100 })).toEqual([]);
      await recordOutcomes(small.prisma, first.slice(0, 5).map((m) => ({ id: m.id, kind: 'sent' as const, at: now })));
      const next = await claimDue(small.prisma, { ...params(now), batch: 100 });
      expect(next.map((m) => m.text)).toEqual(Array(5).fill('reply 2'));
      expect(new Set(next.map((m) => m.conversationId))).toEqual(new Set(first.slice(0, 5).map((m) => m.conversationId)));
    });

    it('holds back the followers of a message that will be retried', async () => {
      const now = new Date(at.getTime() + 120_000); // every lease above has expired
      const [head] = await claimDue(small.prisma, { ...params(now), batch: 1 });
      const retryAt = new Date(now.getTime() + 10_000);
      await recordOutcomes(small.prisma, [{ id: head!.id, kind: 'retry', at: retryAt, code: 'DELIVERY_RETRYABLE', conversationId: head!.conversationId, seq: head!.seq }]);
      const rows = await small.prisma.message.findMany({ where: { conversationId: head!.conversationId, status: 'pending' }, orderBy: { seq: 'asc' } });
      expect(rows.every((r) => r.nextAttemptAt!.getTime() >= retryAt.getTime())).toBe(true);
      const claimed = await claimDue(small.prisma, { ...params(now), batch: 100 });
      expect(claimed.some((m) => m.conversationId === head!.conversationId)).toBe(false);
    });
  });
}

suite('outbox claim on PGlite', createTestDatabase);

const mode = postgresSuiteMode();
if (mode !== 'skip') {
  suite('outbox claim on PostgreSQL', async () => {
    expect(mode, 'TEST_DATABASE_URL must be set in CI').toBe('run');
    return createPostgresTestDatabase();
  });
}
