/**
 * The outbox's SQL: claiming due messages and recording what happened to them. Kept apart from the
 * dispatcher's loop so tests can EXPLAIN the claim and check it reads a bounded number of rows.
 *
 * A claim reads only what it may send, whatever the backlog:
 *   1. `due`: the oldest `window` due pending outbound rows, walked in order on the partial index
 *      Message_outbox_due_idx (nextAttemptAt, seq) WHERE pending and outbound;
 *   2. `heads`: of those, the ones that are their conversation's oldest pending message, one probe
 *      each on Message_outbox_head_idx (conversationId, seq) WHERE pending and outbound (a scalar
 *      sub-select with LIMIT 1, so it is always a per-row probe, never an anti-join over all rows);
 *   3. `locked`: FOR UPDATE SKIP LOCKED on those ids (looked up by primary key: `= ANY(ARRAY(...))`
 *      keeps that plan even on a table that was never analysed), re-checking that they are still due (another
 *      instance may have leased them since), so instances sharing PostgreSQL never take the same one;
 *   4. the lease (nextAttemptAt moves forward, attempts + 1), returning what the send needs.
 * So a claim touches at most `window` + `window` + a few × `batch` rows, with 100 or 10,000 pending,
 * whether or not the table was ever analysed (each step's plan is pinned to its index).
 */
import { Prisma, type Db } from '../db/client.js';
import { openText, type DataKeyring } from '../privacy/field-crypto.js';
import { openPayloadValue } from '../privacy/encrypted-client.js';

export interface ClaimedMessage {
  id: string;
  conversationId: string;
  seq: bigint;
  channel: string;
  author: 'user' | 'bot' | 'counsellor' | 'system';
  text: string | null;
  payload: unknown;
  /** Attempts including this one. */
  attempts: number;
  externalUserId: string | null;
  externalChatId: string | null;
  /** The channel's reply address (Bot Framework), as stored: sealed JSON. */
  channelRef: string | null;
}

export interface ClaimParams {
  now: Date;
  leaseUntil: Date;
  /** How many messages to claim at most. */
  batch: number;
  /** How many due rows to look at to find them (followers of a message in flight are skipped). */
  window: number;
}

export function claimSql(p: ClaimParams): Prisma.Sql {
  return Prisma.sql`
    WITH due AS MATERIALIZED (
      SELECT m."id", m."conversationId", m."seq", m."nextAttemptAt"
      FROM "Message" m
      WHERE m."status" = 'pending' AND m."direction" = 'outbound' AND m."nextAttemptAt" <= ${p.now}
      ORDER BY m."nextAttemptAt", m."seq"
      LIMIT ${p.window}
    ), heads AS MATERIALIZED (
      SELECT d."id" FROM due d
      WHERE d."id" = (
        SELECT h."id" FROM "Message" h
        WHERE h."conversationId" = d."conversationId" AND h."status" = 'pending' AND h."direction" = 'outbound'
        ORDER BY h."seq"
        LIMIT 1)
      ORDER BY d."nextAttemptAt", d."seq"
      LIMIT ${p.batch}
    ), locked AS (
      -- status compared as text: the partial indexes' predicate no longer matches, so the only
      -- index left is the primary key (a planner without statistics would otherwise walk them whole).
      SELECT m."id" FROM "Message" m
      WHERE m."id" = ANY(ARRAY(SELECT "id" FROM heads))
        AND m."status"::text = 'pending' AND m."nextAttemptAt" <= ${p.now}
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE "Message" AS m SET "nextAttemptAt" = ${p.leaseUntil}, "attempts" = m."attempts" + 1
    WHERE m."id" = ANY(ARRAY(SELECT "id" FROM locked))
    RETURNING m."id", m."conversationId", m."seq", m."channel", m."author"::text AS "author", m."text", m."payload", m."attempts",
      -- per-row primary-key probes (never a join that could scan every conversation)
      (SELECT i."externalUserId" FROM "Conversation" c JOIN "ChannelIdentity" i ON i."id" = c."identityId" WHERE c."id" = m."conversationId") AS "externalUserId",
      (SELECT c."externalChatId" FROM "Conversation" c WHERE c."id" = m."conversationId") AS "externalChatId",
      (SELECT c."channelRef" FROM "Conversation" c WHERE c."id" = m."conversationId") AS "channelRef"`;
}

/** Leases up to `batch` deliverable messages (each its conversation's oldest pending one), oldest first. */
export async function claimDue(db: Db, p: ClaimParams): Promise<ClaimedMessage[]> {
  const rows = await db.$queryRaw<ClaimedMessage[]>(claimSql(p));
  for (const row of rows) {
    if (typeof row.payload === 'string') row.payload = JSON.parse(row.payload) as unknown;
    row.attempts = Number(row.attempts);
    row.seq = BigInt(row.seq);
  }
  return rows.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}

/** A claimed row as stored has its text, payload and platform id sealed (core/privacy): opened here. */
export function openClaimed(ring: DataKeyring, row: ClaimedMessage): ClaimedMessage {
  return {
    ...row,
    text: row.text === null ? null : openText(ring, row.text),
    payload: openPayloadValue(ring, row.payload),
    externalUserId: row.externalUserId === null ? null : openText(ring, row.externalUserId),
    channelRef: row.channelRef === null ? null : openText(ring, row.channelRef),
  };
}

export type DeliveryOutcome =
  /** Sent; `masked`: what the stored copy becomes (a message that carried a secret code), already sealed. */
  | { id: string; kind: 'sent'; at: Date; masked?: { text: string; payload: object } }
  | { id: string; kind: 'retry'; at: Date; code: string; conversationId: string; seq: bigint }
  | { id: string; kind: 'failed'; code: string; conversationId: string; unreachable: boolean };

/**
 * Records a batch of delivery outcomes in one transaction of at most three statements, whatever
 * the batch size: every message's new state (one UPDATE over unnest), the followers of a message
 * that will be retried (they wait as long as it does, so they never fill a claim's window), and
 * conversations the platform refused for good.
 */
export async function recordOutcomes(db: Db, outcomes: DeliveryOutcome[]): Promise<void> {
  if (!outcomes.length) return;
  const ids: string[] = [];
  const statuses: string[] = [];
  const sentAt: (number | null)[] = [];
  const nextAt: (number | null)[] = [];
  const codes: (string | null)[] = [];
  for (const o of outcomes) {
    ids.push(o.id);
    statuses.push(o.kind === 'sent' ? 'sent' : o.kind === 'retry' ? 'pending' : 'failed');
    sentAt.push(o.kind === 'sent' ? o.at.getTime() : null);
    nextAt.push(o.kind === 'retry' ? o.at.getTime() : null);
    codes.push(o.kind === 'sent' ? null : o.code);
  }
  const retries = outcomes.filter((o): o is Extract<DeliveryOutcome, { kind: 'retry' }> => o.kind === 'retry');
  const unreachable = [...new Set(outcomes.flatMap((o) => (o.kind === 'failed' && o.unreachable ? [o.conversationId] : [])))];
  const statements: Prisma.PrismaPromise<unknown>[] = [
    db.$executeRaw`
      UPDATE "Message" AS m SET
        "status" = r."status"::"MessageStatus",
        "sentAt" = CASE WHEN r."sentAt" IS NULL THEN m."sentAt" ELSE to_timestamp(r."sentAt" / 1000.0) AT TIME ZONE 'UTC' END,
        "nextAttemptAt" = CASE WHEN r."nextAt" IS NULL THEN NULL ELSE to_timestamp(r."nextAt" / 1000.0) AT TIME ZONE 'UTC' END,
        "lastErrorCode" = r."code"
      FROM unnest(${ids}::uuid[], ${statuses}::text[], ${sentAt}::float8[], ${nextAt}::float8[], ${codes}::text[])
        AS r("id", "status", "sentAt", "nextAt", "code")
      WHERE m."id" = r."id" AND m."id" = ANY(${ids}::uuid[])`,
  ];
  if (retries.length) {
    statements.push(db.$executeRaw`
      UPDATE "Message" AS m SET "nextAttemptAt" = to_timestamp(r."at" / 1000.0) AT TIME ZONE 'UTC'
      FROM unnest(${retries.map((r) => r.conversationId)}::uuid[], ${retries.map((r) => r.seq.toString())}::bigint[], ${retries.map((r) => r.at.getTime())}::float8[])
        AS r("conversationId", "seq", "at")
      WHERE m."conversationId" = r."conversationId" AND m."conversationId" = ANY(${retries.map((r) => r.conversationId)}::uuid[]) AND m."status" = 'pending' AND m."direction" = 'outbound'
        AND m."seq" > r."seq" AND m."nextAttemptAt" < to_timestamp(r."at" / 1000.0) AT TIME ZONE 'UTC'`);
  }
  const masked = outcomes.flatMap((o) => (o.kind === 'sent' && o.masked ? [{ id: o.id, ...o.masked }] : []));
  if (masked.length) {
    statements.push(db.$executeRaw`
      UPDATE "Message" AS m SET "text" = r."text", "payload" = r."payload"::jsonb
      FROM unnest(${masked.map((m) => m.id)}::uuid[], ${masked.map((m) => m.text)}::text[], ${masked.map((m) => JSON.stringify(m.payload))}::text[])
        AS r("id", "text", "payload")
      WHERE m."id" = r."id" AND m."id" = ANY(${masked.map((m) => m.id)}::uuid[])`);
  }
  if (unreachable.length) {
    statements.push(db.$executeRaw`UPDATE "Conversation" SET "unreachable" = true WHERE "id" = ANY(${unreachable}::uuid[])`);
  }
  if (statements.length === 1) await statements[0];
  else await db.$transaction(statements);
}
