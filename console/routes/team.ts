/**
 * The team: each counsellor's availability and capacity, the chats offered to them (accept or
 * decline), who holds what (supervisors), and the display aliases users see (admins).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import { AppError } from '../../core/errors.js';
import { ALIAS_PATTERN, aliasShown } from '../../core/queue/alias.js';
import { availabilityOf, declineOffer, setAvailability, teamBoard } from '../../core/queue/assign.js';
import { claimHandoff, type QueueDeps } from '../../core/queue/operations.js';
import type { Metrics } from '../../core/metrics.js';
import { audit } from '../audit.js';
import { staffOf, type makeGuard } from '../auth/guard.js';
import { parse } from './auth.js';

const idParam = z.object({ id: z.string().uuid() });
/** Most counsellors hold 1–3 chats at once; 10 is a hard ceiling. */
export const MAX_CAPACITY = 10;

export function teamRoutes(server: FastifyInstance, deps: { db: Db; queue: QueueDeps; guard: ReturnType<typeof makeGuard>; metrics: Metrics; offerSeconds: number }): void {
  const { db, queue, guard } = deps;

  server.get('/console/api/me/availability', { preHandler: guard() }, async (request) => availabilityOf(queue, staffOf(request).id));

  server.put('/console/api/me/availability', { preHandler: guard() }, async (request) => {
    const staff = staffOf(request);
    const body = parse(z.object({ status: z.enum(['available', 'away']), capacity: z.number().int().min(1).max(MAX_CAPACITY).optional() }), request.body);
    const result = await setAvailability(queue, { staffId: staff.id, status: body.status, ...(body.capacity !== undefined ? { capacity: body.capacity } : {}) });
    await audit(db, { actorId: staff.id, action: 'staff.availability', subjectType: 'staff', subjectId: staff.id, detail: { status: result.status, capacity: result.capacity } });
    return result;
  });

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/accept', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    const item = await claimHandoff(queue, { handoffId: id, counsellorId: staff.id, viaOffer: true });
    deps.metrics.claims.inc();
    await audit(db, { actorId: staff.id, action: 'handoff.accept', subjectType: 'handoff', subjectId: id });
    return item;
  });

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/decline', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const staff = staffOf(request);
    if (!(await db.handoff.findUnique({ where: { id }, select: { id: true } }))) throw new AppError('HANDOFF_NOT_FOUND', 'no such chat', 404);
    await declineOffer(queue, { handoffId: id, counsellorId: staff.id });
    await audit(db, { actorId: staff.id, action: 'handoff.decline', subjectType: 'handoff', subjectId: id });
    return { ok: true };
  });

  server.get('/console/api/assignments', { preHandler: guard('supervisor') }, async () => ({ ...(await teamBoard(queue)), offerSeconds: deps.offerSeconds }));

  server.put<{ Params: { id: string } }>('/console/api/staff/:id/alias', { preHandler: guard('admin') }, async (request) => {
    const { id } = parse(idParam, request.params);
    const { alias } = parse(
      z.object({
        alias: z
          .string()
          .trim()
          .regex(ALIAS_PATTERN, 'a first name: 1 to 30 letters, spaces, apostrophes or hyphens')
          .nullable(),
      }),
      request.body,
    );
    const user = await db.staffUser.findUnique({ where: { id }, select: { id: true } });
    if (!user) throw new AppError('NOT_FOUND', 'no such account', 404);
    await db.staffUser.update({ where: { id }, data: { alias } });
    await audit(db, { actorId: staffOf(request).id, action: 'staff.alias', subjectType: 'staff', subjectId: id, detail: { set: alias !== null } });
    return { id, alias, shown: { vi: aliasShown('vi', alias), en: aliasShown('en', alias) } };
  });
}
