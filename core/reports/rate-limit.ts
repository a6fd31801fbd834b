/** Fixed-window counters in the RateLimit table (shared by every instance through the database). */
import type { Db } from '../db/client.js';
import type { Tx } from '../db/tx.js';

export interface Window {
  max: number;
  seconds: number;
}

/** True when the key already used up its window (does not count). */
export async function isLimited(tx: Tx, key: string, window: Window, now: Date): Promise<boolean> {
  const row = await tx.rateLimit.findUnique({ where: { key } });
  if (!row) return false;
  if (now.getTime() - row.windowStart.getTime() >= window.seconds * 1000) return false;
  return row.count >= window.max;
}

/** Counts one hit against the key, starting a new window when the old one is over. */
export async function hit(tx: Tx, key: string, window: Window, now: Date): Promise<number> {
  const row = await tx.rateLimit.findUnique({ where: { key } });
  if (!row || now.getTime() - row.windowStart.getTime() >= window.seconds * 1000) {
    await tx.rateLimit.upsert({ where: { key }, create: { key, count: 1, windowStart: now }, update: { count: 1, windowStart: now } });
    return 1;
  }
  const updated = await tx.rateLimit.update({ where: { key }, data: { count: { increment: 1 } } });
  return updated.count;
}

/**
 * Counts one attempt atomically (one statement: concurrent attempts each get their own number) and
 * returns the count in the current window, this one included. Check the answer BEFORE doing the
 * guarded work: count > max means refuse.
 */
export async function countAttempt(db: Db | Tx, key: string, window: Window, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - window.seconds * 1000);
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "RateLimit" ("key", "count", "windowStart") VALUES (${key}, 1, ${now})
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "RateLimit"."windowStart" <= ${cutoff} THEN 1 ELSE "RateLimit"."count" + 1 END,
      "windowStart" = CASE WHEN "RateLimit"."windowStart" <= ${cutoff} THEN ${now} ELSE "RateLimit"."windowStart" END
    RETURNING "count"`;
  return Number(rows[0]!.count);
}

/** Forgets a key's attempts (e.g. after a successful login). */
export async function clearAttempts(db: Db | Tx, key: string): Promise<void> {
  await db.rateLimit.deleteMany({ where: { key } });
}
