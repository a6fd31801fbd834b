/**
 * The supervisor dashboard's figures for a date range (UTC days), with no personal data:
 * contacts per day by channel, by type as the hotline counts them (information/report: a chat the
 * bot handled alone; advice: a chat that reached a counsellor), escalations by level, the wait
 * before a counsellor claimed (median, p90), SLA breaches and outcomes.
 */
import type { Db } from '../db/client.js';
import { HAS_USER_CONTENT } from '../privacy/retention.js';

export interface DashboardFigures {
  from: string;
  to: string;
  days: { day: string; channel: string; contacts: number; information: number; advice: number }[];
  escalations: Record<string, number>;
  waitSeconds: { median: number | null; p90: number | null; claimed: number };
  slaBreaches: number;
  outcomes: Record<string, number>;
  reports: number;
}

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export async function dashboardFigures(db: Db, from: Date, to: Date): Promise<DashboardFigures> {
  const range = { gte: from, lt: to };
  const conversations = await db.conversation.findMany({
    // A contact is a conversation in which the user said or chose something (not an opened, empty one).
    where: { OR: [{ createdAt: range }, { lastActivityAt: range }], ...HAS_USER_CONTENT },
    select: { id: true, channel: true, createdAt: true, handoffs: { select: { id: true }, take: 1 } },
  });
  const byDay = new Map<string, { day: string; channel: string; contacts: number; information: number; advice: number }>();
  for (const c of conversations) {
    const day = (c.createdAt < from ? from : c.createdAt).toISOString().slice(0, 10);
    const key = `${day}|${c.channel}`;
    const row = byDay.get(key) ?? { day, channel: c.channel, contacts: 0, information: 0, advice: 0 };
    row.contacts++;
    if (c.handoffs.length) row.advice++;
    else row.information++;
    byDay.set(key, row);
  }
  const handoffs = await db.handoff.findMany({ where: { createdAt: range }, select: { level: true, reason: true, createdAt: true, claimedAt: true, slaNotifiedAt: true, outcome: true } });
  const escalations: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const waits: number[] = [];
  let slaBreaches = 0;
  for (const h of handoffs) {
    const key = h.reason === 'risk' ? h.level : h.reason;
    escalations[key] = (escalations[key] ?? 0) + 1;
    if (h.claimedAt) waits.push((h.claimedAt.getTime() - h.createdAt.getTime()) / 1000);
    if (h.slaNotifiedAt) slaBreaches++;
    if (h.outcome) outcomes[h.outcome] = (outcomes[h.outcome] ?? 0) + 1;
  }
  waits.sort((a, b) => a - b);
  const reports = await db.report.count({ where: { createdAt: range } });
  return {
    from: from.toISOString().slice(0, 10),
    to: to.toISOString().slice(0, 10),
    days: [...byDay.values()].sort((a, b) => (a.day === b.day ? a.channel.localeCompare(b.channel) : a.day.localeCompare(b.day))),
    escalations,
    waitSeconds: { median: quantile(waits, 0.5), p90: quantile(waits, 0.9), claimed: waits.length },
    slaBreaches,
    outcomes,
    reports,
  };
}
