/**
 * Is each channel reaching us, and are our replies getting out? For the admins' channel health
 * view (issue 18 item 5): per channel, whether it is configured, when its last inbound message
 * arrived, its pending and failed outbound counts, and its most recent delivery error code.
 * Read-only; never message text. The inbound scan has no dedicated index: call it on demand (a
 * console refresh), not per request.
 */
import type { Db } from '../db/client.js';

export interface ChannelHealth {
  channel: string;
  configured: boolean;
  lastInboundAt: Date | null;
  pendingOutbound: number;
  failedOutbound: number;
  /**
   * The latest outbound message that carries a delivery error: its code, its status now (pending:
   * being retried at nextAttemptAt; failed: given up; sent: a retry went through) and when it was written.
   */
  lastDeliveryError: { code: string; status: 'pending' | 'sent' | 'failed'; messageCreatedAt: Date; nextAttemptAt: Date | null } | null;
}

/** Health of every configured channel, plus any channel that has messages but is now off. */
export async function channelHealth(db: Db, configured: Record<string, boolean>): Promise<ChannelHealth[]> {
  const [inbound, outbound] = await Promise.all([
    db.message.groupBy({ by: ['channel'], where: { direction: 'inbound' }, _max: { createdAt: true } }),
    db.message.groupBy({ by: ['channel', 'status'], where: { direction: 'outbound', status: { in: ['pending', 'failed'] } }, _count: { _all: true } }),
  ]);
  const names = new Set([...Object.keys(configured), ...inbound.map((r) => r.channel), ...outbound.map((r) => r.channel)]);
  const result: ChannelHealth[] = [];
  for (const channel of names) {
    const count = (status: 'pending' | 'failed') => outbound.find((r) => r.channel === channel && r.status === status)?._count._all ?? 0;
    const error = await db.message.findFirst({
      where: { channel, direction: 'outbound', lastErrorCode: { not: null } },
      orderBy: { seq: 'desc' },
      select: { lastErrorCode: true, createdAt: true, nextAttemptAt: true, status: true },
    });
    result.push({
      channel,
      configured: configured[channel] ?? false,
      lastInboundAt: inbound.find((r) => r.channel === channel)?._max.createdAt ?? null,
      pendingOutbound: count('pending'),
      failedOutbound: count('failed'),
      lastDeliveryError: error?.lastErrorCode
        ? { code: error.lastErrorCode, status: error.status as 'pending' | 'sent' | 'failed', messageCreatedAt: error.createdAt, nextAttemptAt: error.status === 'pending' ? error.nextAttemptAt : null }
        : null,
    });
  }
  return result.sort((a, b) => Number(b.configured) - Number(a.configured) || a.channel.localeCompare(b.channel));
}
