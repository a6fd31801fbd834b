/**
 * A chat's context for the console's chat view (read-only): channel, language, where the person
 * is, the wait, the level and why (per message: matched words, rules or model), the waiting-room
 * flags, what they asked the directory for, the report draft so far, earlier contacts of the same
 * person (earlier chats with a counsellor of the same pseudonymous channel identity, in this
 * conversation or an earlier one; never a name or platform id), the notes with
 * their authors, and the risk labels the reader already gave. A waiting chat's preview (for any
 * counsellor) carries only the level and why; the rest comes with the claim. Full reads are audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import { decodeWhereabouts } from '../../core/safety/whereabouts.js';
import { audit } from '../audit.js';
import { atLeast, staffOf, type makeGuard } from '../auth/guard.js';
import { escalationOf, messageRisks } from '../read/risk.js';
import { parse } from './auth.js';
import { readDetails, SAFETY_FLAGS } from './board.js';

const idParam = z.object({ id: z.string().uuid() });

/** The report draft fields the page shows (flows/main/context.ts ReportDraft). */
const DRAFT_FIELDS = ['category', 'details', 'province', 'country', 'when', 'peopleCount', 'peopleAge', 'peopleGender', 'suspects', 'contactMethod', 'evidence', 'inDanger', 'contactConsent', 'contact'] as const;

/** The main flow's report draft from its stored snapshot (decrypted by the database client). */
export function draftOf(snapshot: unknown): Record<string, string | boolean> | null {
  const draft = (snapshot as { context?: { draft?: Record<string, unknown> | null } } | null)?.context?.draft;
  if (!draft || typeof draft !== 'object') return null;
  const out: Record<string, string | boolean> = {};
  for (const k of DRAFT_FIELDS) {
    const v = draft[k];
    if (typeof v === 'string' && v.trim()) out[k] = v;
    else if (typeof v === 'boolean') out[k] = v;
  }
  // Consent without a contact, or a contact without consent, is not shown.
  if (!out.contactConsent) delete out.contact;
  return Object.keys(out).length ? out : null;
}

const EARLIER_LIMIT = 10;

export function chatContextRoutes(server: FastifyInstance, deps: { db: Db; guard: ReturnType<typeof makeGuard> }): void {
  const { db, guard } = deps;
  server.get<{ Params: { id: string } }>('/console/api/handoffs/:id/context', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    const handoff = await db.handoff.findUnique({ where: { id }, include: { counsellor: { select: { displayName: true } } } });
    if (!handoff) throw new AppError('HANDOFF_NOT_FOUND', 'no such chat', 404);
    const full = atLeast(staff, 'supervisor') || (handoff.state !== 'waiting' && handoff.counsellorId === staff.id);
    if (!full && handoff.state !== 'waiting') throw new AppError('HANDOFF_NOT_OWNER', 'this chat is held by another counsellor', 403);
    const conversation = await db.conversation.findUniqueOrThrow({
      where: { id: handoff.conversationId },
      select: { id: true, identityId: true, channel: true, locale: true, whereabouts: true, createdAt: true, snapshot: true },
    });
    const risks = (await messageRisks(db, [conversation.id])).get(conversation.id) ?? [];
    const where = decodeWhereabouts(conversation.whereabouts);
    const head = {
      state: handoff.state,
      level: handoff.level,
      reason: handoff.reason,
      categories: handoff.categories.filter((c) => !(SAFETY_FLAGS as readonly string[]).includes(c)),
      flags: handoff.categories.filter((c) => (SAFETY_FLAGS as readonly string[]).includes(c)),
      details: await readDetails(db, handoff.details),
      createdAt: handoff.createdAt,
      claimedAt: handoff.claimedAt,
      closedAt: handoff.closedAt,
      outcome: handoff.outcome,
      slaDueAt: handoff.slaDueAt,
      holderName: handoff.counsellor?.displayName ?? null,
      mine: handoff.counsellorId === staff.id,
      escalation: escalationOf(risks, handoff) ?? null,
    };
    const channel = { channel: conversation.channel, locale: conversation.locale, where: where ?? null, startedAt: conversation.createdAt };
    if (!full) return { preview: true, handoff: head, conversation: channel, risks: [] };

    const identity = await db.channelIdentity.findUniqueOrThrow({ where: { id: conversation.identityId }, select: { createdAt: true, conversations: { select: { id: true } } } });
    const conversationIds = identity.conversations.map((c) => c.id);
    const [earlierHandoffs, reports, notes, labels] = await Promise.all([
      db.handoff.findMany({
        where: { conversationId: { in: conversationIds }, id: { not: id }, createdAt: { lt: handoff.createdAt } },
        orderBy: { createdAt: 'desc' },
        take: EARLIER_LIMIT,
        select: { createdAt: true, closedAt: true, level: true, reason: true, outcome: true, summary: true, counsellor: { select: { displayName: true } } },
      }),
      db.report.findMany({ where: { conversationId: { in: conversationIds } }, orderBy: { createdAt: 'asc' }, select: { id: true, conversationId: true, referenceCode: true, category: true, status: true, createdAt: true } }),
      db.caseNote.findMany({ where: { handoffId: id }, orderBy: { createdAt: 'asc' }, select: { text: true, createdAt: true, authorId: true } }),
      db.riskLabel.findMany({ where: { conversationId: conversation.id, authorId: staff.id }, select: { messageId: true, handoffId: true, verdict: true, level: true } }),
    ]);
    const authors = new Map(
      (notes.length ? await db.staffUser.findMany({ where: { id: { in: [...new Set(notes.map((n) => n.authorId))] } }, select: { id: true, displayName: true } }) : []).map((s) => [s.id, s.displayName]),
    );
    const escalationLabel = labels.find((l) => l.handoffId === id && l.verdict !== 'missed');
    await audit(db, { actorId: staff.id, action: 'transcript.context', subjectType: 'conversation', subjectId: conversation.id, detail: { handoffId: id, earlier: earlierHandoffs.length } });
    return {
      preview: false,
      handoff: head,
      conversation: channel,
      risks: risks.map((r) => ({ messageId: r.messageId, level: r.level, source: r.source, categories: r.categories, terms: r.terms, at: r.at })),
      draft: draftOf(conversation.snapshot),
      earlier: {
        firstSeenAt: identity.createdAt,
        conversations: conversationIds.length,
        reports: reports.length,
        handoffs: earlierHandoffs.map((h) => ({ createdAt: h.createdAt, closedAt: h.closedAt, level: h.level, reason: h.reason, outcome: h.outcome, summary: h.summary, holderName: h.counsellor?.displayName ?? null })),
      },
      // Reports made in this conversation (by the person or for them): the holder may write to the reporter.
      reports: reports.filter((r) => r.conversationId === conversation.id || r.id === handoff.reportId).map(({ conversationId: _c, ...r }) => r),
      notes: notes.map((n) => ({ text: n.text, createdAt: n.createdAt, author: authors.get(n.authorId) ?? null })),
      labels: {
        escalation: escalationLabel ? { verdict: escalationLabel.verdict, level: escalationLabel.level } : null,
        messages: labels.filter((l) => l.verdict === 'missed').map((l) => ({ messageId: l.messageId, level: l.level })),
      },
    };
  });
}
