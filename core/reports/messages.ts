/**
 * Two-way anonymous messages about a report (as GlobaLeaks does with its receipt): the hotline
 * writes to the reporter of a report; the reporter reads it when they follow up with their codes,
 * from any channel, and answers there. No identity is needed or kept: a message belongs to the
 * report, never to a person. The text is sealed at rest like every message (ReportMessage.text,
 * core/privacy/encrypted-client.ts).
 */
import type { Locale } from '../../flows/types.js';
import type { Db } from '../db/client.js';
import type { Tx } from '../db/tx.js';
import { AppError } from '../errors.js';
import { aliasShown } from '../queue/alias.js';

/** Longest message either way. */
export const REPORT_MESSAGE_MAX = 2000;
/** How many unread hotline messages a follow-up shows at once (the oldest first; the rest next time). */
export const SHOWN_PER_FOLLOW_UP = 5;

export interface ReportMessageView {
  id: string;
  author: 'staff' | 'reporter';
  /** The alias the reporter saw (staff messages). */
  alias: string | null;
  text: string;
  channel: string | null;
  createdAt: Date;
  readAt: Date | null;
}

export async function writeToReporter(db: Db | Tx, input: { reportId: string; staffId: string; text: string; now: Date }): Promise<{ id: string; createdAt: Date }> {
  const text = input.text.trim();
  if (!text || text.length > REPORT_MESSAGE_MAX) throw new AppError('BAD_INPUT', `a message needs 1 to ${REPORT_MESSAGE_MAX} characters`, 400);
  const row = await db.reportMessage.create({ data: { reportId: input.reportId, author: 'staff', staffId: input.staffId, text, createdAt: input.now }, select: { id: true, createdAt: true } });
  await db.report.update({ where: { id: input.reportId }, data: { updatedAt: input.now } });
  return row;
}

/** The reporter's answer, written at follow-up. False when there is no such report. */
export async function answerFromReporter(tx: Tx, input: { reportId: string; text: string; channel: string; now: Date }): Promise<boolean> {
  const text = input.text.trim().slice(0, REPORT_MESSAGE_MAX);
  if (!text) return false;
  const report = await tx.report.findUnique({ where: { id: input.reportId }, select: { id: true } });
  if (!report) return false;
  await tx.reportMessage.create({ data: { reportId: report.id, author: 'reporter', text, channel: input.channel, createdAt: input.now } });
  await tx.report.update({ where: { id: report.id }, data: { updatedAt: input.now } });
  return true;
}

/**
 * What a reporter is shown at follow-up: the hotline's messages they have not seen (oldest first,
 * at most SHOWN_PER_FOLLOW_UP), each with the writer's alias in the reporter's language; they are
 * marked read. `more`: unread ones left for next time.
 */
export async function unreadForReporter(tx: Tx, input: { reportId: string; locale: Locale; now: Date }): Promise<{ messages: { alias: string; text: string; createdAt: Date }[]; more: number }> {
  const unread = await tx.reportMessage.findMany({ where: { reportId: input.reportId, author: 'staff', readAt: null }, orderBy: { createdAt: 'asc' } });
  const shown = unread.slice(0, SHOWN_PER_FOLLOW_UP);
  if (shown.length) await tx.reportMessage.updateMany({ where: { id: { in: shown.map((m) => m.id) } }, data: { readAt: input.now } });
  const aliases = await aliasesOf(tx, shown.map((m) => m.staffId));
  return {
    messages: shown.map((m) => ({ alias: aliasShown(input.locale, aliases.get(m.staffId ?? '') ?? null), text: m.text, createdAt: m.createdAt })),
    more: unread.length - shown.length,
  };
}

/** The whole thread, for staff (the caller checks access and writes the audit entry). */
export async function threadOf(db: Db, reportId: string): Promise<ReportMessageView[]> {
  const rows = await db.reportMessage.findMany({ where: { reportId }, orderBy: { createdAt: 'asc' }, take: 500 });
  const aliases = await aliasesOf(db, rows.map((m) => m.staffId));
  return rows.map((m) => ({
    id: m.id,
    author: m.author === 'reporter' ? 'reporter' : 'staff',
    alias: m.author === 'staff' ? aliasShown('vi', aliases.get(m.staffId ?? '') ?? null) : null,
    text: m.text,
    channel: m.channel,
    createdAt: m.createdAt,
    readAt: m.readAt,
  }));
}

/** Per report: how many messages, how many from the reporter, and when the reporter last wrote. */
export async function threadSummaries(db: Db, reportIds: string[]): Promise<Map<string, { total: number; fromReporter: number; lastFromReporterAt: Date | null; awaitingAnswer: boolean }>> {
  const result = new Map<string, { total: number; fromReporter: number; lastFromReporterAt: Date | null; awaitingAnswer: boolean }>();
  if (!reportIds.length) return result;
  const rows = await db.reportMessage.findMany({ where: { reportId: { in: reportIds } }, orderBy: { createdAt: 'asc' }, select: { reportId: true, author: true, createdAt: true } });
  for (const row of rows) {
    const s = result.get(row.reportId) ?? { total: 0, fromReporter: 0, lastFromReporterAt: null, awaitingAnswer: false };
    s.total++;
    if (row.author === 'reporter') {
      s.fromReporter++;
      s.lastFromReporterAt = row.createdAt;
    }
    // The reporter wrote last: the hotline owes an answer.
    s.awaitingAnswer = row.author === 'reporter';
    result.set(row.reportId, s);
  }
  return result;
}

async function aliasesOf(db: Db | Tx, staffIds: (string | null)[]): Promise<Map<string, string | null>> {
  const ids = [...new Set(staffIds.filter((id): id is string => !!id))];
  if (!ids.length) return new Map();
  const rows = await db.staffUser.findMany({ where: { id: { in: ids } }, select: { id: true, alias: true } });
  return new Map(rows.map((r) => [r.id, r.alias]));
}
