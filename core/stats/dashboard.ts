/**
 * The supervisor dashboard's figures for a date range (UTC days), with no personal data:
 * contacts per day by channel, by type as the hotline counts them (information/report: a chat the
 * bot handled alone; advice: a chat that reached a counsellor), escalations by level, the wait
 * before a counsellor claimed (median, p90), SLA breaches and outcomes; the counsellors' wrap-ups of
 * the chats closed in the range (type of contact, referrals, follow-up needed) and the answers to
 * the one-question survey (core/queue/wrap-up.ts).
 */
import type { Db } from '../db/client.js';
import { HAS_USER_CONTENT } from '../privacy/retention.js';
import { CONTACT_TYPES, REFERRALS, SURVEY_ANSWERS } from '../queue/wrap-up.js';

/** One day on one channel. `wrapped*`: chats closed that day by wrap-up type; `survey*`: answers given that day. */
export interface DayRow {
  day: string;
  channel: string;
  contacts: number;
  information: number;
  advice: number;
  wrappedInformation: number;
  wrappedReport: number;
  wrappedAdvice: number;
  followUpNeeded: number;
  surveyYes: number;
  surveyPartly: number;
  surveyNo: number;
}

export interface DashboardFigures {
  from: string;
  to: string;
  days: DayRow[];
  escalations: Record<string, number>;
  waitSeconds: { median: number | null; p90: number | null; claimed: number };
  slaBreaches: number;
  outcomes: Record<string, number>;
  reports: number;
  /** Chats closed in the range with a wrap-up. */
  wrapUp: { closed: number; contactTypes: Record<(typeof CONTACT_TYPES)[number], number>; referrals: Record<(typeof REFERRALS)[number], number>; followUpNeeded: number };
  /** The survey offered at close: asked in the range, and the answers. */
  survey: { asked: number; answered: number; answers: Record<(typeof SURVEY_ANSWERS)[number], number> };
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const emptyDay = (day: string, channel: string): DayRow => ({
  day, channel, contacts: 0, information: 0, advice: 0, wrappedInformation: 0, wrappedReport: 0, wrappedAdvice: 0, followUpNeeded: 0, surveyYes: 0, surveyPartly: 0, surveyNo: 0,
});

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
  const byDay = new Map<string, DayRow>();
  const rowOf = (at: Date, channel: string) => {
    const day = (at < from ? from : at).toISOString().slice(0, 10);
    const key = `${day}|${channel}`;
    const row = byDay.get(key) ?? emptyDay(day, channel);
    byDay.set(key, row);
    return row;
  };
  for (const c of conversations) {
    const day = (c.createdAt < from ? from : c.createdAt).toISOString().slice(0, 10);
    const key = `${day}|${c.channel}`;
    const row = byDay.get(key) ?? emptyDay(day, c.channel);
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

  const wrapUp: DashboardFigures['wrapUp'] = { closed: 0, contactTypes: zeros(CONTACT_TYPES), referrals: zeros(REFERRALS), followUpNeeded: 0 };
  const wrapped = await db.handoff.findMany({
    where: { closedAt: range, contactType: { not: null } },
    select: { closedAt: true, contactType: true, referrals: true, followUpNeeded: true, conversation: { select: { channel: true } } },
  });
  for (const h of wrapped) {
    const type = h.contactType as keyof typeof wrapUp.contactTypes;
    if (!(type in wrapUp.contactTypes)) continue;
    wrapUp.closed++;
    wrapUp.contactTypes[type]++;
    for (const r of h.referrals) if (r in wrapUp.referrals) wrapUp.referrals[r as keyof typeof wrapUp.referrals]++;
    if (h.followUpNeeded) wrapUp.followUpNeeded++;
    const row = rowOf(h.closedAt!, h.conversation.channel);
    if (type === 'information') row.wrappedInformation++;
    else if (type === 'report') row.wrappedReport++;
    else row.wrappedAdvice++;
    if (h.followUpNeeded) row.followUpNeeded++;
  }
  const survey: DashboardFigures['survey'] = { asked: 0, answered: 0, answers: zeros(SURVEY_ANSWERS) };
  survey.asked = await db.handoff.count({ where: { surveyAskedAt: range } });
  const answered = await db.handoff.findMany({ where: { surveyAnsweredAt: range, surveyAnswer: { not: null } }, select: { surveyAnsweredAt: true, surveyAnswer: true, conversation: { select: { channel: true } } } });
  for (const h of answered) {
    const answer = h.surveyAnswer as keyof typeof survey.answers;
    if (!(answer in survey.answers)) continue;
    survey.answered++;
    survey.answers[answer]++;
    const row = rowOf(h.surveyAnsweredAt!, h.conversation.channel);
    if (answer === 'yes') row.surveyYes++;
    else if (answer === 'partly') row.surveyPartly++;
    else row.surveyNo++;
  }
  return {
    from: from.toISOString().slice(0, 10),
    to: to.toISOString().slice(0, 10),
    days: [...byDay.values()].sort((a, b) => (a.day === b.day ? a.channel.localeCompare(b.channel) : a.day.localeCompare(b.day))),
    escalations,
    waitSeconds: { median: quantile(waits, 0.5), p90: quantile(waits, 0.9), claimed: waits.length },
    slaBreaches,
    outcomes,
    reports,
    wrapUp,
    survey,
  };
}
