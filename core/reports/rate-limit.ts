/** Fixed-window counters in the RateLimit table (shared by every instance through the database). */
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
