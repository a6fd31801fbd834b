/**
 * What a turn reads and writes, in as few round trips as the database allows (raw SQL: the query
 * builder would spend several per step). An ordinary turn is BEGIN, `openTurnRows`, `saveTurn`,
 * COMMIT: four round trips.
 *
 * - `openTurnRows`, one statement: the person (created on first contact; the row lock taken by its
 *   upsert serialises a person's turns), their open conversation (created when there is none), the
 *   inbound message (a retried webhook is a no-op on the per-channel message id), and what risk
 *   memory needs (recent elevated messages).
 * - `saveTurn`, one statement: the conversation's compare-and-swap (no write unless nobody else
 *   wrote since it was read), its risk events, a masked copy of a secret the person typed, and the
 *   replies written as pending for the outbox, in order.
 *
 * Raw SQL bypasses the sealing database client, so what people say is sealed here
 * (core/privacy/field-crypto.ts), as the client would.
 */
import { Prisma } from '../db/generated/client.js';
import type { Tx } from '../db/tx.js';
import { CasConflictError } from '../errors.js';
import type { OutboundMessage } from '../messages/types.js';
import { openPayloadValue, sealPayloadValue } from '../privacy/encrypted-client.js';
import { isSealed, openText, sealText, type DataKeyring } from '../privacy/field-crypto.js';
import type { RiskLevelName } from '../risk/types.js';
import { maskSecrets } from '../outbox/enqueue.js';
import { OWN_WORDS } from './risk-memory.js';

/** A conversation row as the product sees it (sealed fields opened), the shape of Prisma's Conversation. */
export type ConversationRow = Awaited<ReturnType<Tx['conversation']['findUniqueOrThrow']>>;

export interface OpenedTurn {
  identityId: string;
  conversation: ConversationRow;
  /** This turn created the person or the conversation. */
  created: boolean;
  /** The stored inbound message, or null when this message id was already stored (a retry). */
  messageId: string | null;
  /** Elevated-or-higher messages of the person's own words since `accumulateSince`. */
  recentElevated: number;
}

export interface OpenTurnInput {
  channel: string;
  userHash: string;
  externalUserId: string;
  externalChatId: string | null;
  channelRef: string | null;
  externalMessageId: string;
  kind: string;
  text: string | null;
  payload: object;
  locale: string;
  machineId: string;
  machineVersion: number;
  now: Date;
  accumulateSince: Date;
}

const date = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(String(value)) ? String(value) : `${String(value)}Z`));

/** A Conversation row read as JSON (to_jsonb) → the product's shape, sealed fields opened. */
export function conversationFromJson(ring: DataKeyring, row: Record<string, unknown>): ConversationRow {
  const snapshot = row.snapshot;
  return {
    ...(row as object),
    snapshot: isSealed(snapshot) ? (JSON.parse(openText(ring, snapshot)) as unknown) : (snapshot ?? null),
    channelRef: typeof row.channelRef === 'string' ? openText(ring, row.channelRef) : null,
    riskAt: date(row.riskAt),
    lastActivityAt: date(row.lastActivityAt)!,
    createdAt: date(row.createdAt)!,
    closedAt: date(row.closedAt),
  } as ConversationRow;
}

export async function openTurnRows(tx: Tx, ring: DataKeyring, input: OpenTurnInput): Promise<OpenedTurn> {
  const text = input.text === null ? null : sealText(ring, input.text);
  const payload = JSON.stringify(sealPayloadValue(ring, input.payload));
  const [row] = await tx.$queryRaw<{ identityId: string; created: boolean; conversation: Record<string, unknown>; messageId: string | null; recentElevated: number }[]>`
    WITH ident AS (
      INSERT INTO "ChannelIdentity" ("id", "channel", "userHash", "externalUserId", "createdAt")
      VALUES (gen_random_uuid(), ${input.channel}, ${input.userHash}, ${sealText(ring, input.externalUserId)}, ${input.now})
      ON CONFLICT ("channel", "userHash") DO UPDATE SET "channel" = EXCLUDED."channel"
      RETURNING "id", (xmax = 0) AS "inserted"
    ), existing AS (
      SELECT c.* FROM "Conversation" c
      WHERE c."identityId" = (SELECT "id" FROM ident) AND c."status" <> 'closed'
      ORDER BY c."createdAt" DESC
      LIMIT 1
    ), fresh AS (
      INSERT INTO "Conversation" ("id", "identityId", "channel", "externalChatId", "channelRef", "locale", "machineId", "machineVersion", "createdAt", "lastActivityAt")
      SELECT gen_random_uuid(), i."id", ${input.channel}, ${input.externalChatId}, ${input.channelRef === null ? null : sealText(ring, input.channelRef)}, ${input.locale}, ${input.machineId}, ${input.machineVersion}, ${input.now}, ${input.now}
      FROM ident i
      WHERE NOT EXISTS (SELECT 1 FROM existing)
      RETURNING *
    ), chosen AS (
      SELECT * FROM existing UNION ALL SELECT * FROM fresh
    ), msg AS (
      INSERT INTO "Message" ("id", "conversationId", "channel", "direction", "author", "kind", "text", "payload", "channelMessageId", "status", "createdAt")
      SELECT gen_random_uuid(), ch."id", ${input.channel}, 'inbound', 'user', ${input.kind}, ${text}, ${payload}::jsonb, ${input.externalMessageId}, 'received', ${input.now}
      FROM chosen ch
      ON CONFLICT ("channel", "channelMessageId") DO NOTHING
      RETURNING "id"
    )
    SELECT
      (SELECT "id" FROM ident)::text AS "identityId",
      ((SELECT "inserted" FROM ident) OR EXISTS (SELECT 1 FROM fresh)) AS "created",
      (SELECT to_jsonb(ch) FROM chosen ch) AS "conversation",
      (SELECT "id" FROM msg)::text AS "messageId",
      (SELECT count(*) FROM "RiskEvent" r
        WHERE r."conversationId" = (SELECT "id" FROM chosen) AND r."createdAt" >= ${input.accumulateSince}
          AND r."level" IN ('elevated', 'high', 'emergency') AND r."source" IN (${Prisma.join(OWN_WORDS)}))::int AS "recentElevated"`;
  if (!row?.conversation) throw new CasConflictError(); // a concurrent first contact: the retry sees it
  const conversation = typeof row.conversation === 'string' ? (JSON.parse(row.conversation) as Record<string, unknown>) : row.conversation;
  return { identityId: row.identityId, conversation: conversationFromJson(ring, conversation), created: row.created, messageId: row.messageId, recentElevated: Number(row.recentElevated) };
}

export interface RiskEventRow {
  messageId: string | null;
  level: RiskLevelName;
  categories: string[];
  matches: unknown[];
  source: string;
  modelScores?: unknown;
}

export interface SaveTurnInput {
  conversationId: string;
  /** The version read: nothing is written if another writer bumped it since (the turn is retried). */
  expectedVersion: number;
  conversation: {
    snapshot: unknown;
    waitSnapshot: unknown;
    machineId: string;
    machineVersion: number;
    locale: string;
    status: 'bot' | 'queued' | 'counsellor';
    riskLevel: RiskLevelName;
    riskAt: Date | null;
    whereabouts: string | null;
    /** The choices the bot just offered; undefined keeps the stored ones. */
    offeredChoices?: unknown;
    externalChatId?: string;
    channelRef?: string;
  };
  riskEvents: RiskEventRow[];
  /** The person's message held a secret: keep only this masked copy of it. */
  mask?: { messageId: string; text: string; secrets: string[] };
  outbound: OutboundMessage[];
  channel: string;
  replyHandle?: { value: string; expiresAt: string };
  now: Date;
}

/** Outbound rows as the outbox expects them (core/outbox/enqueue.ts), sealed. */
function outboundRows(ring: DataKeyring, input: SaveTurnInput) {
  return input.outbound.map((m, ord) => ({
    ord,
    author: m.author,
    text: sealText(ring, m.text),
    payload: sealPayloadValue(ring, {
      ...(m.choices ? { choices: m.choices } : {}),
      ...(m.cards ? { cards: m.cards } : {}),
      ...(m.urgent ? { urgent: true } : {}),
      ...(m.sender ? { sender: m.sender } : {}),
      ...(input.replyHandle ? { replyHandle: input.replyHandle } : {}),
      ...(m.secrets?.length ? { secret: true, maskedText: maskSecrets(m.text, m.secrets), ...(m.cards ? { maskedCards: m.cards.map((c) => ({ ...c, body: maskSecrets(c.body, m.secrets!) })) } : {}) } : {}),
    }),
  }));
}

/** Saves the turn in one statement; returns the new outbound message ids in send order. Throws CasConflictError on a lost race. */
export async function saveTurn(tx: Tx, ring: DataKeyring, input: SaveTurnInput): Promise<{ outboundIds: string[] }> {
  const c = input.conversation;
  const snapshot = c.snapshot === null || c.snapshot === undefined ? null : JSON.stringify(sealText(ring, JSON.stringify(c.snapshot)));
  const waitSnapshot = c.waitSnapshot === null || c.waitSnapshot === undefined ? null : JSON.stringify(c.waitSnapshot);
  const offered = c.offeredChoices === undefined ? null : JSON.stringify(c.offeredChoices);
  const risk = JSON.stringify(input.riskEvents);
  const out = JSON.stringify(outboundRows(ring, input));
  const masked = input.mask ? sealText(ring, maskSecrets(input.mask.text, input.mask.secrets)) : null;
  const [row] = await tx.$queryRaw<{ updated: number; outbound: { id: string; seq: string }[] | string | null }[]>`
    WITH upd AS (
      UPDATE "Conversation" SET
        "snapshot" = ${snapshot}::jsonb,
        "waitSnapshot" = ${waitSnapshot}::jsonb,
        "machineId" = ${c.machineId},
        "machineVersion" = ${c.machineVersion},
        "locale" = ${c.locale},
        "status" = ${c.status}::"ConversationStatus",
        "riskLevel" = ${c.riskLevel}::"RiskLevel",
        "riskAt" = ${c.riskAt},
        "whereabouts" = ${c.whereabouts},
        "offeredChoices" = COALESCE(${offered}::jsonb, "offeredChoices"),
        "externalChatId" = COALESCE(${c.externalChatId ?? null}, "externalChatId"),
        "channelRef" = COALESCE(${c.channelRef === undefined ? null : sealText(ring, c.channelRef)}, "channelRef"),
        "lastActivityAt" = ${input.now},
        "version" = "version" + 1
      WHERE "id" = ${input.conversationId}::uuid AND "version" = ${input.expectedVersion}
      RETURNING "id"
    ), risk AS (
      INSERT INTO "RiskEvent" ("id", "conversationId", "messageId", "level", "categories", "matches", "source", "modelScores", "createdAt")
      SELECT gen_random_uuid(), u."id", r."messageId"::uuid, r."level"::"RiskLevel", ARRAY(SELECT jsonb_array_elements_text(r."categories")), r."matches", r."source", r."modelScores", ${input.now}
      FROM upd u, jsonb_to_recordset(${risk}::jsonb) AS r("messageId" text, "level" text, "categories" jsonb, "matches" jsonb, "source" text, "modelScores" jsonb)
      RETURNING "id"
    ), masked AS (
      UPDATE "Message" SET "text" = ${masked}
      WHERE ${masked}::text IS NOT NULL AND "id" = ${input.mask?.messageId ?? null}::uuid AND EXISTS (SELECT 1 FROM upd)
      RETURNING "id"
    ), written AS (
      INSERT INTO "Message" ("id", "conversationId", "channel", "direction", "author", "kind", "text", "payload", "status", "nextAttemptAt", "createdAt")
      SELECT gen_random_uuid(), u."id", ${input.channel}, 'outbound', o."author"::"MessageAuthor", 'text', o."text", o."payload", 'pending', ${input.now}, ${input.now}
      FROM upd u, jsonb_to_recordset(${out}::jsonb) AS o("ord" int, "author" text, "text" text, "payload" jsonb)
      ORDER BY o."ord"
      RETURNING "id", "seq"
    )
    SELECT
      (SELECT count(*) FROM upd)::int AS "updated",
      (SELECT count(*) FROM risk)::int + (SELECT count(*) FROM masked)::int AS "written",
      (SELECT json_agg(json_build_object('id', o."id", 'seq', o."seq"::text)) FROM written o) AS "outbound"`;
  if (!row || Number(row.updated) !== 1) throw new CasConflictError();
  const rows = (typeof row.outbound === 'string' ? JSON.parse(row.outbound) : (row.outbound ?? [])) as { id: string; seq: string }[];
  return { outboundIds: rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).map((r) => r.id) };
}

/** For tests and tools: a stored payload opened as the product reads it. */
export const openStoredPayload = openPayloadValue;
