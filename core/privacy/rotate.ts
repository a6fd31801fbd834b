/**
 * Key rotation for data at rest: every sealed value (and any legacy clear text) not sealed with the
 * current key is re-sealed with it, in batches, each row written only if it has not changed since it
 * was read (compare-and-set on the stored value), so rotation can run beside a live service without
 * undoing anyone's write. Old keys must stay in DATA_KEYS until it has finished.
 */
import type { Db } from '../db/client.js';
import { isSealed, openText, resealIfStale, sealText, sealedKeyId, type DataKeyring } from './field-crypto.js';
import { decryptJson, type ReportKeys } from '../reports/crypto.js';

/** A text column that holds a sealed value (or legacy clear text), with the AAD used to seal it. */
interface TextColumn {
  table: string;
  column: string;
  /** SQL giving the AAD for a row (aliased "aad"), when the value is bound to one. */
  aad?: string;
  /** Report bodies: legacy values are in the pre-keyring report format. */
  report?: boolean;
}

const TEXT_COLUMNS: TextColumn[] = [
  { table: 'Message', column: 'text' },
  { table: 'ChannelIdentity', column: 'externalUserId' },
  { table: 'Conversation', column: 'channelRef' },
  { table: 'CaseNote', column: 'text' },
  { table: 'Handoff', column: 'summary' },
  { table: 'RiskLabel', column: 'text' },
  { table: 'ReportMessage', column: 'text' },
  { table: 'Report', column: 'encryptedPayload', aad: 't."referenceCode"', report: true },
  { table: 'ReportAddition', column: 'encryptedPayload', aad: '(SELECT r."referenceCode" FROM "Report" r WHERE r.id = t."reportId")', report: true },
  { table: 'StaffUser', column: 'totpSecret', aad: `'totp:' || t.id::text`, report: true },
];

export interface RotationResult {
  /** Values re-sealed per "Table.column". */
  resealed: Record<string, number>;
  /** Values that changed under us and were left for the next run. */
  skipped: number;
}

export async function rotateDataKeys(db: Db, keys: ReportKeys, opts: { batchSize?: number; onBatch?: (where: string, count: number) => void } = {}): Promise<RotationResult> {
  const batch = opts.batchSize ?? 500;
  const current = `enc:${keys.currentId}:%`;
  const result: RotationResult = { resealed: {}, skipped: 0 };
  const count = (where: string, n: number) => {
    result.resealed[where] = (result.resealed[where] ?? 0) + n;
    if (n) opts.onBatch?.(where, n);
  };

  for (const col of TEXT_COLUMNS) {
    const where = `${col.table}.${col.column}`;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await db.$queryRawUnsafe<{ id: string; value: string; aad: string | null }[]>(
        `SELECT t.id::text AS id, t."${col.column}" AS value, ${col.aad ?? 'NULL'} AS aad FROM "${col.table}" t
         WHERE t."${col.column}" IS NOT NULL AND t."${col.column}" NOT LIKE $1 AND t.id::text > $2
         ORDER BY t.id::text LIMIT ${batch}`,
        current,
        after,
      );
      if (!rows.length) break;
      let done = 0;
      for (const row of rows) {
        const next = col.report ? resealReport(keys, row.value, row.aad ?? '') : resealIfStale(keys, row.value, row.aad ?? undefined);
        if (next === undefined) continue;
        const updated = await db.$executeRawUnsafe(`UPDATE "${col.table}" SET "${col.column}" = $1 WHERE id::text = $2 AND "${col.column}" = $3`, next, row.id, row.value);
        if (updated) done++;
        else result.skipped++;
      }
      count(where, done);
      after = rows.at(-1)!.id;
    }
  }

  // Conversation snapshots: a JSON column holding one sealed string (legacy: a clear JSON object).
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.$queryRawUnsafe<{ id: string; value: unknown }[]>(
      `SELECT id::text AS id, snapshot AS value FROM "Conversation"
       WHERE snapshot IS NOT NULL AND jsonb_typeof(snapshot) <> 'null'
         AND (jsonb_typeof(snapshot) <> 'string' OR snapshot #>> '{}' NOT LIKE $1) AND id::text > $2
       ORDER BY id::text LIMIT ${batch}`,
      current,
      after,
    );
    if (!rows.length) break;
    let done = 0;
    for (const row of rows) {
      const plain = isSealed(row.value) ? openText(keys, row.value) : JSON.stringify(row.value);
      const next = sealText(keys, plain);
      const updated = await db.$executeRawUnsafe(`UPDATE "Conversation" SET snapshot = $1::jsonb WHERE id::text = $2 AND snapshot = $3::jsonb`, JSON.stringify(next), row.id, JSON.stringify(row.value));
      if (updated) done++;
      else result.skipped++;
    }
    count('Conversation.snapshot', done);
    after = rows.at(-1)!.id;
  }

  // A shared location inside an inbound message's payload.
  after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.$queryRawUnsafe<{ id: string; value: string }[]>(
      `SELECT id::text AS id, payload->>'sealed' AS value FROM "Message"
       WHERE payload->>'sealed' IS NOT NULL AND payload->>'sealed' NOT LIKE $1 AND id::text > $2 ORDER BY id::text LIMIT ${batch}`,
      current,
      after,
    );
    if (!rows.length) break;
    let done = 0;
    for (const row of rows) {
      const next = resealIfStale(keys, row.value);
      if (next === undefined) continue;
      const updated = await db.$executeRawUnsafe(
        `UPDATE "Message" SET payload = jsonb_set(payload, '{sealed}', to_jsonb($1::text)) WHERE id::text = $2 AND payload->>'sealed' = $3`,
        next,
        row.id,
        row.value,
      );
      if (updated) done++;
      else result.skipped++;
    }
    count('Message.payload', done);
    after = rows.at(-1)!.id;
  }
  return result;
}

function resealReport(keys: ReportKeys, stored: string, reference: string): string | undefined {
  if (sealedKeyId(stored) === keys.currentId) return undefined;
  return sealText(keys, JSON.stringify(decryptJson(keys, stored, reference)), reference);
}

/** How many stored values each key still seals (legacy clear text counted as "clear"), for the operator. */
export async function keyUsage(db: Db, ring: DataKeyring): Promise<Record<string, number>> {
  const usage: Record<string, number> = {};
  for (const col of TEXT_COLUMNS) {
    const rows = await db.$queryRawUnsafe<{ kid: string | null; n: bigint }[]>(
      `SELECT CASE WHEN "${col.column}" LIKE 'enc:%' THEN split_part("${col.column}", ':', 2) ELSE NULL END AS kid, count(*) AS n
       FROM "${col.table}" WHERE "${col.column}" IS NOT NULL GROUP BY 1`,
    );
    for (const r of rows) {
      const name = r.kid ?? (col.report ? 'v1' : 'clear');
      usage[name] = (usage[name] ?? 0) + Number(r.n);
    }
  }
  void ring;
  return usage;
}
