/**
 * Reports: submit (encrypted body, codes, routing), follow-up lookup by reference + secret code
 * from any channel, additions, and the wrong-code rate limit (per pseudonymous user and per
 * reference). A wrong code and an unknown reference get the same answer, in about the same time.
 */
import { createHmac } from 'node:crypto';
import type { ReportDraft as FlowReportDraft } from '../../flows/main/context.js';
import type { Tx } from '../db/tx.js';
import { decryptJson, encryptJson, type ReportKeys } from './crypto.js';
import { hashFollowUpCode, newFollowUpCode, newReferenceCode, normalizeFollowUpCode, normalizeReference, verifyFollowUpCode } from './codes.js';
import { hit, isLimited, type Window } from './rate-limit.js';
import { routeReport } from './routing.js';

export const FOLLOW_UP_LIMITS = {
  user: { max: 5, seconds: 3600 } satisfies Window,
  reference: { max: 10, seconds: 3600 } satisfies Window,
};

/** What a report flow collects (flows/main/context.ts); a submitted one always has its category. */
export type ReportDraft = FlowReportDraft & { category: string };

export interface SubmittedReport {
  id: string;
  referenceCode: string;
  followUpCode: string;
  referralTargets: string[];
}

export async function submitReport(
  tx: Tx,
  encryptionKey: ReportKeys,
  input: { draft: ReportDraft; channel: string; conversationId: string | null; now: Date },
): Promise<SubmittedReport> {
  const { draft } = input;
  const followUpCode = newFollowUpCode();
  const followUpHash = await hashFollowUpCode(followUpCode);
  const referralTargets = routeReport({ category: draft.category, province: draft.province ?? null, minors: draft.peopleAge === 'child' || draft.peopleAge === 'both' });
  const body = { ...draft, contact: draft.contactConsent ? (draft.contact ?? null) : null };
  for (let attempt = 0; ; attempt++) {
    const referenceCode = newReferenceCode();
    const clash = await tx.report.findUnique({ where: { referenceCode }, select: { id: true } });
    if (clash) {
      if (attempt > 5) throw new Error('could not allocate a reference code');
      continue;
    }
    const report = await tx.report.create({
      data: {
        referenceCode,
        followUpHash,
        category: draft.category,
        province: draft.province ?? null,
        country: draft.province === 'abroad' ? (draft.country ?? null) : null,
        inDanger: Boolean(draft.inDanger),
        referralTargets,
        encryptedPayload: encryptJson(encryptionKey, body, referenceCode),
        channel: input.channel,
        conversationId: input.conversationId,
        createdAt: input.now,
      },
      select: { id: true },
    });
    return { id: report.id, referenceCode, followUpCode, referralTargets };
  }
}

export type LookupResult =
  | { ok: true; reportId: string; referenceCode: string; status: 'received' | 'referred' | 'closed'; additions: number; createdAt: Date }
  | { ok: false; reason: 'invalid' | 'rate_limited' };

/** Key for rate limits: a hash of the pseudonymous user hash, never the raw id. */
function limitKey(kind: string, value: string): string {
  return `followup:${kind}:${createHmac('sha256', 'followup-limit').update(value).digest('base64url')}`;
}

export async function lookupReport(
  tx: Tx,
  input: { reference: string; code: string; userHash: string; now: Date },
): Promise<LookupResult> {
  const reference = normalizeReference(input.reference);
  const code = normalizeFollowUpCode(input.code);
  const userKey = limitKey('user', input.userHash);
  const refKey = reference ? limitKey('ref', reference) : undefined;
  if ((await isLimited(tx, userKey, FOLLOW_UP_LIMITS.user, input.now)) || (refKey && (await isLimited(tx, refKey, FOLLOW_UP_LIMITS.reference, input.now)))) {
    return { ok: false, reason: 'rate_limited' };
  }
  const report = reference
    ? await tx.report.findUnique({ where: { referenceCode: reference }, select: { id: true, referenceCode: true, followUpHash: true, status: true, createdAt: true, _count: { select: { additions: true } } } })
    : null;
  const valid = await verifyFollowUpCode(code ?? '', report?.followUpHash ?? null);
  if (!valid || !report || !code) {
    await hit(tx, userKey, FOLLOW_UP_LIMITS.user, input.now);
    if (refKey) await hit(tx, refKey, FOLLOW_UP_LIMITS.reference, input.now);
    return { ok: false, reason: 'invalid' };
  }
  return { ok: true, reportId: report.id, referenceCode: report.referenceCode, status: report.status, additions: report._count.additions, createdAt: report.createdAt };
}

export async function addToReport(tx: Tx, encryptionKey: ReportKeys, input: { reportId: string; text: string; channel: string; now: Date }): Promise<boolean> {
  const report = await tx.report.findUnique({ where: { id: input.reportId }, select: { id: true, referenceCode: true } });
  if (!report) return false;
  await tx.reportAddition.create({
    data: {
      reportId: report.id,
      encryptedPayload: encryptJson(encryptionKey, { text: input.text }, report.referenceCode),
      channel: input.channel,
      createdAt: input.now,
    },
  });
  await tx.report.update({ where: { id: report.id }, data: { updatedAt: input.now } });
  return true;
}

/** The fields a saved report may still be given by the person who filed it (the "add more details" questions). */
const UPDATABLE = ['when', 'peopleCount', 'peopleAge', 'peopleGender', 'suspects', 'contactMethod', 'evidence', 'contactConsent', 'contact', 'details'] as const;

/**
 * Adds details to a saved report: merged into its encrypted body (only the fields above, short
 * strings), and the referral suggestion recomputed (children involved add social services).
 * False when there is no such report.
 */
export async function updateReport(tx: Tx, encryptionKey: ReportKeys, input: { reportId: string; patch: Record<string, unknown>; now: Date }): Promise<boolean> {
  const report = await tx.report.findUnique({ where: { id: input.reportId }, select: { id: true, referenceCode: true, encryptedPayload: true, category: true, province: true } });
  if (!report) return false;
  const patch: Record<string, unknown> = {};
  for (const field of UPDATABLE) {
    const value = input.patch[field];
    if (typeof value === 'string') patch[field] = value.slice(0, 2000);
    else if (typeof value === 'boolean' || value === null) patch[field] = value;
  }
  const body = { ...decryptJson<Record<string, unknown>>(encryptionKey, report.encryptedPayload, report.referenceCode), ...patch };
  if (!body.contactConsent) body.contact = null;
  const minors = body.peopleAge === 'child' || body.peopleAge === 'both';
  await tx.report.update({
    where: { id: report.id },
    data: {
      encryptedPayload: encryptJson(encryptionKey, body, report.referenceCode),
      referralTargets: routeReport({ category: report.category, province: report.province, minors }),
      updatedAt: input.now,
    },
  });
  return true;
}
