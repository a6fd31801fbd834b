/**
 * The database client every part of the product uses, with what people say sealed at rest
 * (core/privacy/field-crypto.ts): values are sealed on every write through the query builder and
 * opened on every read, including nested reads, so the rest of the code works with plain text.
 *
 * Sealed fields:
 * - Message.text, and a message's shared location (inside Message.payload);
 * - Conversation.snapshot (the report draft lives there) and Conversation.channelRef;
 * - ChannelIdentity.externalUserId (the raw platform id a channel needs to reply);
 * - CaseNote.text, Handoff.summary, RiskLabel.text, ReportMessage.text (the hotline's messages with a reporter).
 * Report bodies have always been sealed by core/reports (AAD: the reference code).
 *
 * Raw SQL ($queryRaw) bypasses this: code that writes these columns with raw SQL must seal itself
 * (sealText), and code that reads them with raw SQL must open them (openText).
 */
import { Prisma } from '../db/generated/client.js';
import type { Db } from '../db/client.js';
import { isSealed, openText, sealText, type DataKeyring } from './field-crypto.js';

/** Payload keys sealed at rest: a shared location, cards (they may carry a code), and the masked copies. */
const SEALED_PAYLOAD_KEYS = ['location', 'cards', 'maskedText', 'maskedCards'];

const WRITES = ['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert'] as const;

type Row = Record<string, unknown>;
type Transform = (data: Row) => void;

const isPrismaNull = (v: unknown) => v === Prisma.DbNull || v === Prisma.JsonNull || v === Prisma.AnyNull;

/** Applies `transform` to every data object of a write (create/update/upsert, single or many). */
function eachData(args: Row, transform: Transform): void {
  const apply = (data: unknown) => {
    if (Array.isArray(data)) data.forEach((d) => d && typeof d === 'object' && transform(d as Row));
    else if (data && typeof data === 'object') transform(data as Row);
  };
  apply(args.data);
  apply(args.create);
  apply(args.update);
}

/**
 * Inside a message's payload, what the person shared (a location), cards (the report codes come as
 * one) and what a message becomes once sent (`maskedText`/`maskedCards`, without the secret code)
 * are sealed together as `sealed`. For code that writes payloads with raw SQL.
 */
export function sealPayloadValue(ring: DataKeyring, payload: unknown): unknown {
  if (!payload || typeof payload !== 'object' || isPrismaNull(payload) || Array.isArray(payload)) return payload;
  const row = payload as Row;
  const secret = Object.fromEntries(SEALED_PAYLOAD_KEYS.filter((k) => k in row).map((k) => [k, row[k]]));
  if (!Object.keys(secret).length) return payload;
  const rest = Object.fromEntries(Object.entries(row).filter(([k]) => !SEALED_PAYLOAD_KEYS.includes(k)));
  return { ...rest, sealed: sealText(ring, JSON.stringify(secret)) };
}

/** The payload with its sealed part opened (for code that reads payloads with raw SQL). */
export function openPayloadValue(ring: DataKeyring, payload: unknown): unknown {
  if (!payload || typeof payload !== 'object' || !isSealed((payload as Row).sealed)) return payload;
  const { sealed, ...rest } = payload as Row;
  return { ...rest, ...(JSON.parse(openText(ring, sealed as string)) as Row) };
}

export function encryptAtRest(base: Db, ring: DataKeyring): Db {
  const seal = (value: unknown): unknown => {
    if (typeof value === 'string') return isSealed(value) ? value : sealText(ring, value);
    if (value && typeof value === 'object' && 'set' in (value as Row) && typeof (value as Row).set === 'string') {
      return { set: seal((value as Row).set) };
    }
    return value;
  };
  const open = (value: string | null): string | null => (value === null ? null : openText(ring, value));
  const sealField = (field: string): Transform => (data) => {
    if (field in data) data[field] = seal(data[field]);
  };
  /** A JSON column stored as one sealed string. */
  const sealJsonField = (field: string): Transform => (data) => {
    const value = data[field];
    if (value === undefined || value === null || isPrismaNull(value) || isSealed(value)) return;
    data[field] = sealText(ring, JSON.stringify(value));
  };
  const openJsonField = (value: unknown): unknown => (isSealed(value) ? JSON.parse(openText(ring, value)) : value);
  const sealPayload: Transform = (data) => {
    if (data.payload !== undefined) data.payload = sealPayloadValue(ring, data.payload);
  };
  const openPayload = (payload: unknown): unknown => openPayloadValue(ring, payload);

  const writes = (transforms: Transform[]) =>
    Object.fromEntries(
      WRITES.map((op) => [
        op,
        ({ args, query }: { args: Row; query: (args: Row) => Promise<unknown> }) => {
          eachData(args, (data) => transforms.forEach((t) => t(data)));
          return query(args);
        },
      ]),
    );

  const extended = base.$extends({
    name: 'encrypt-at-rest',
    query: {
      message: writes([sealField('text'), sealPayload]),
      conversation: writes([sealJsonField('snapshot'), sealField('channelRef')]),
      channelIdentity: writes([sealField('externalUserId')]),
      caseNote: writes([sealField('text')]),
      handoff: writes([sealField('summary')]),
      riskLabel: writes([sealField('text')]),
      reportMessage: writes([sealField('text')]),
    } as never,
    result: {
      message: {
        text: { needs: { text: true }, compute: (m: { text: string | null }) => open(m.text) },
        payload: { needs: { payload: true }, compute: (m: { payload: unknown }) => openPayload(m.payload) },
      },
      conversation: {
        snapshot: { needs: { snapshot: true }, compute: (c: { snapshot: unknown }) => openJsonField(c.snapshot) },
        channelRef: { needs: { channelRef: true }, compute: (c: { channelRef: string | null }) => open(c.channelRef) },
      },
      channelIdentity: {
        externalUserId: { needs: { externalUserId: true }, compute: (i: { externalUserId: string | null }) => open(i.externalUserId) },
      },
      caseNote: { text: { needs: { text: true }, compute: (n: { text: string }) => openText(ring, n.text) } },
      handoff: { summary: { needs: { summary: true }, compute: (h: { summary: string | null }) => open(h.summary) } },
      riskLabel: { text: { needs: { text: true }, compute: (l: { text: string }) => openText(ring, l.text) } },
      reportMessage: { text: { needs: { text: true }, compute: (m: { text: string }) => openText(ring, m.text) } },
    } as never,
  });
  // Same API as the base client: only the stored form of the fields above differs.
  return extended as unknown as Db;
}
