/** The live queue and the chat: list, claim, transcript (audited), reply, notes, transfer, hand back, close, report on the user's behalf. */
import type { ReportKeys } from '../../core/reports/crypto.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import type { Metrics } from '../../core/metrics.js';
import { claimHandoff, listQueue, transferHandoff, type QueueDeps } from '../../core/queue/operations.js';
import { CLOSE_OUTCOMES, HANDED_BACK } from '../../core/queue/outcomes.js';
import { wrapUpSchema } from '../../core/queue/wrap-up.js';
import { aliasOf, aliasShown } from '../../core/queue/alias.js';
import { toLocale } from '../../core/i18n/index.js';
import { getTranscript, previewOf } from '../../core/queue/transcript.js';
import { openChannelRef } from '../../core/privacy/channel-ref.js';
import { CATEGORIES } from '../../flows/report/options.js';
import { submitReport } from '../../core/reports/service.js';
import type { Runtime } from '../../core/runtime/handle-turn.js';
import type { ChannelPort } from '../../core/messages/types.js';
import { audit } from '../audit.js';
import { atLeast, staffOf, type makeGuard } from '../auth/guard.js';
import { parse } from './auth.js';

const idParam = z.object({ id: z.string().uuid() });

export function queueRoutes(
  server: FastifyInstance,
  deps: { db: Db; queue: QueueDeps; runtime: Runtime; guard: ReturnType<typeof makeGuard>; metrics: Metrics; encryptionKey: ReportKeys; ports: Map<string, ChannelPort> },
): void {
  const { db, queue, runtime, guard } = deps;
  const handoffConversation = async (handoffId: string) => {
    const handoff = await db.handoff.findUnique({ where: { id: handoffId }, select: { conversationId: true, counsellorId: true, state: true } });
    if (!handoff) throw new AppError('HANDOFF_NOT_FOUND', 'no such chat', 404);
    return handoff;
  };
  /** A held or closed chat is the holder's (and supervisors'); a waiting one is open to every counsellor as a preview. */
  const mayRead = (staff: ReturnType<typeof staffOf>, handoff: { state: string; counsellorId: string | null }) =>
    atLeast(staff, 'supervisor') || (handoff.state !== 'waiting' && handoff.counsellorId === staff.id);

  server.get('/console/api/queue', { preHandler: guard() }, async () => listQueue(queue));

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/claim', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    const item = await claimHandoff(queue, { handoffId: id, counsellorId: staff.id });
    deps.metrics.claims.inc();
    await audit(db, { actorId: staff.id, action: 'handoff.claim', subjectType: 'handoff', subjectId: id });
    return item;
  });

  server.get<{ Params: { id: string } }>('/console/api/handoffs/:id', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    const handoff = await handoffConversation(id);
    const full = mayRead(staff, handoff);
    if (!full && handoff.state !== 'waiting') throw new AppError('HANDOFF_NOT_OWNER', 'this chat is held by another counsellor', 403);
    const [item] = await listQueue(queue, { handoffId: id });
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: handoff.conversationId }, select: { id: true, channel: true, locale: true, status: true } });
    const transcript = await getTranscript(db, handoff.conversationId);
    const notes = full ? await db.caseNote.findMany({ where: { handoffId: id }, orderBy: { createdAt: 'asc' } }) : [];
    await audit(db, { actorId: staff.id, action: full ? 'transcript.read' : 'transcript.preview', subjectType: 'conversation', subjectId: handoff.conversationId, detail: { handoffId: id } });
    const closing = await db.handoff.findUniqueOrThrow({ where: { id }, select: { contactType: true, referrals: true, followUpNeeded: true, surveyAskedAt: true, surveyAnswer: true } });
    const head = {
      ...(item ?? { handoffId: id, state: handoff.state, counsellorId: handoff.counsellorId }),
      // The wrap-up given at close, and the user's survey answer (core/queue/wrap-up.ts).
      wrapUp: closing.contactType ? { contactType: closing.contactType, referrals: closing.referrals, followUpNeeded: closing.followUpNeeded ?? false } : null,
      survey: closing.surveyAnswer ?? null,
      surveyAsked: !!closing.surveyAskedAt,
    };
    return full ? { handoff: head, conversation, transcript, notes } : { handoff: head, conversation, transcript: previewOf(transcript), notes, preview: true };
  });

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/reply', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const { text } = parse(z.object({ text: z.string().trim().min(1).max(4000) }), request.body);
    const handoff = await handoffConversation(id);
    const staff = staffOf(request);
    // The user sees the counsellor's alias, never the account's name.
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: handoff.conversationId }, select: { locale: true } });
    const sender = aliasShown(toLocale(conversation.locale) ?? 'vi', await aliasOf(db, staff.id));
    return runtime.sendCounsellorReply({ conversationId: handoff.conversationId, counsellorId: staff.id, text, sender });
  });

  // "Typing…" on the user's side while the holder writes, where the channel has it (best effort).
  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/typing', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const handoff = await handoffConversation(id);
    if (handoff.state !== 'claimed' || handoff.counsellorId !== staffOf(request).id) throw new AppError('HANDOFF_NOT_OWNER', 'claim the chat first', 403);
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: handoff.conversationId }, include: { identity: { select: { externalUserId: true } } } });
    const port = deps.ports.get(conversation.channel);
    if (!port?.typing) return { supported: false };
    await port
      .typing({ conversationId: conversation.id, externalUserId: conversation.identity.externalUserId, externalChatId: conversation.externalChatId, channelRef: openChannelRef(conversation.channelRef) })
      .catch(() => undefined);
    return { supported: true };
  });

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/notes', { preHandler: guard() }, async (request, reply) => {
    const { id } = parse(idParam, request.params);
    const { text } = parse(z.object({ text: z.string().trim().min(1).max(4000) }), request.body);
    const staff = staffOf(request);
    const handoff = await handoffConversation(id);
    if (!mayRead(staff, handoff)) throw new AppError('HANDOFF_NOT_OWNER', 'only the counsellor holding this chat, or a supervisor, can add notes', 403);
    const note = await db.$transaction(async (tx) => {
      const created = await tx.caseNote.create({ data: { handoffId: id, authorId: staff.id, text } });
      await audit(tx, { actorId: staff.id, action: 'note.create', subjectType: 'handoff', subjectId: id, detail: { noteId: created.id } });
      return created;
    });
    return reply.status(201).send(note);
  });

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/transfer', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const { toCounsellorId } = parse(z.object({ toCounsellorId: z.string().uuid().nullable() }), request.body);
    const staff = staffOf(request);
    await transferHandoff(queue, { handoffId: id, actorId: staff.id, asSupervisor: atLeast(staff, 'supervisor'), toCounsellorId });
    await audit(db, { actorId: staff.id, action: 'handoff.transfer', subjectType: 'handoff', subjectId: id, detail: { to: toCounsellorId } });
    return { ok: true };
  });

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/handback', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    const { summary } = parse(z.object({ summary: z.string().trim().max(4000).optional() }), request.body ?? {});
    await runtime.returnToBot({ handoffId: id, actorId: staff.id, asSupervisor: atLeast(staff, 'supervisor'), outcome: HANDED_BACK, ...(summary ? { summary } : {}) });
    await audit(db, { actorId: staff.id, action: 'handoff.handback', subjectType: 'handoff', subjectId: id });
    return { ok: true };
  });

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/close', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    const body = parse(
      z.object({
        outcome: z.enum(CLOSE_OUTCOMES),
        summary: z.string().trim().max(4000).optional(),
        reportReference: z.string().trim().max(40).optional(),
        // The wrap-up as the hotline counts contacts, and whether to offer the user the survey (core/queue/wrap-up.ts).
        wrapUp: wrapUpSchema,
        survey: z.boolean().default(true),
      }),
      request.body,
    );
    await runtime.returnToBot({
      handoffId: id,
      actorId: staff.id,
      asSupervisor: atLeast(staff, 'supervisor'),
      outcome: body.outcome,
      ...(body.summary ? { summary: body.summary } : {}),
      ...(body.reportReference ? { reportId: body.reportReference } : {}),
      wrapUp: body.wrapUp,
      survey: body.survey,
    });
    await audit(db, {
      actorId: staff.id,
      action: 'handoff.close',
      subjectType: 'handoff',
      subjectId: id,
      detail: { outcome: body.outcome, contactType: body.wrapUp.contactType, referrals: body.wrapUp.referrals.join(','), followUpNeeded: body.wrapUp.followUpNeeded, survey: body.survey },
    });
    return { ok: true };
  });

  // A report the counsellor files for the user (e.g. told over the chat); the codes are read out to the user.
  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/report', { preHandler: guard() }, async (request, reply) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    const draft = parse(
      z.object({
        category: z.enum(CATEGORIES),
        province: z.string().trim().max(40).optional(),
        country: z.string().trim().max(80).optional(),
        when: z.string().trim().max(200).optional(),
        suspects: z.string().trim().max(2000).optional(),
        evidence: z.string().trim().max(4000).optional(),
        inDanger: z.boolean().default(false),
      }),
      request.body,
    );
    const handoff = await handoffConversation(id);
    if (handoff.counsellorId !== staff.id && !atLeast(staff, 'supervisor')) throw new AppError('HANDOFF_NOT_OWNER', 'claim the chat first', 403);
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: handoff.conversationId }, select: { channel: true } });
    const report = await db.$transaction((tx) => submitReport(tx, deps.encryptionKey, { draft, channel: conversation.channel, conversationId: handoff.conversationId, now: new Date() }));
    await audit(db, { actorId: staff.id, action: 'report.create', subjectType: 'report', subjectId: report.id, detail: { handoffId: id } });
    return reply.status(201).send(report);
  });
}
