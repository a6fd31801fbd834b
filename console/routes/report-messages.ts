/**
 * Two-way anonymous messages with the reporter of a report: staff read the thread and write; the
 * reporter reads and answers at follow-up with their codes (core/reports/messages.ts). Supervisors
 * reach every report; a counsellor only a report linked to a chat they hold or held. Every read
 * and every message is audited (never the text).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../core/events/bus.js';
import { REPORT_MESSAGE_MAX, threadOf, writeToReporter } from '../../core/reports/messages.js';
import { audit } from '../audit.js';
import { atLeast, staffOf, type makeGuard } from '../auth/guard.js';
import type { StaffIdentity } from '../auth/sessions.js';
import { parse } from './auth.js';

const idParam = z.object({ id: z.string().uuid() });

export function reportMessageRoutes(server: FastifyInstance, deps: { db: Db; bus: EventBus; guard: ReturnType<typeof makeGuard> }): void {
  const { db, guard } = deps;

  /** The report, if this staff member may reach its reporter. */
  const reachable = async (staff: StaffIdentity, reportId: string) => {
    const report = await db.report.findUnique({ where: { id: reportId }, select: { id: true, conversationId: true } });
    if (!report) throw new AppError('NOT_FOUND', 'no such report', 404);
    if (atLeast(staff, 'supervisor')) return report;
    const linked = await db.handoff.count({
      where: {
        counsellorId: staff.id,
        state: { in: ['claimed', 'closed'] },
        OR: [{ reportId: report.id }, ...(report.conversationId ? [{ conversationId: report.conversationId }] : [])],
      },
    });
    if (!linked) throw new AppError('FORBIDDEN', 'only supervisors, or the counsellor of a chat linked to this report, can reach its reporter', 403);
    return report;
  };

  server.get<{ Params: { id: string } }>('/console/api/reports/:id/messages', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    await reachable(staff, id);
    const messages = await threadOf(db, id);
    await audit(db, { actorId: staff.id, action: 'report.messages.read', subjectType: 'report', subjectId: id, detail: { count: messages.length } });
    return { messages };
  });

  server.post<{ Params: { id: string } }>('/console/api/reports/:id/messages', { preHandler: guard() }, async (request, reply) => {
    const { id } = parse(idParam, request.params);
    const { text } = parse(z.object({ text: z.string().trim().min(1).max(REPORT_MESSAGE_MAX) }), request.body);
    const staff = staffOf(request);
    await reachable(staff, id);
    const created = await db.$transaction(async (tx) => {
      const row = await writeToReporter(tx, { reportId: id, staffId: staff.id, text, now: new Date() });
      await audit(tx, { actorId: staff.id, action: 'report.message.create', subjectType: 'report', subjectId: id, detail: { messageId: row.id } });
      return row;
    });
    deps.bus.publish({ type: 'report.message', reportId: id, author: 'staff' });
    return reply.status(201).send(created);
  });
}
