/** Risk labels from staff: the holder judges a chat's escalation; supervisors mark missed risks in a transcript. Audited. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import { ESCALATION_VERDICTS, labelEscalation, labelMissedRisk } from '../../core/risk/labels.js';
import { RISK_LEVELS } from '../../core/risk/types.js';
import { audit } from '../audit.js';
import { atLeast, staffOf, type makeGuard } from '../auth/guard.js';
import { parse } from './auth.js';

const idParam = z.object({ id: z.string().uuid() });
const level = z.enum(RISK_LEVELS);

export function labelRoutes(server: FastifyInstance, deps: { db: Db; guard: ReturnType<typeof makeGuard> }): void {
  const { db, guard } = deps;

  server.post<{ Params: { id: string } }>('/console/api/handoffs/:id/risk-label', { preHandler: guard() }, async (request) => {
    const { id } = parse(idParam, request.params);
    const body = parse(z.object({ verdict: z.enum(ESCALATION_VERDICTS), level: level.optional() }), request.body);
    const staff = staffOf(request);
    const label = await labelEscalation(db, { handoffId: id, actorId: staff.id, asSupervisor: atLeast(staff, 'supervisor'), verdict: body.verdict, ...(body.level ? { level: body.level } : {}) });
    await audit(db, { actorId: staff.id, action: 'risk.label', subjectType: 'handoff', subjectId: id, detail: { verdict: body.verdict, level: label.level, detected: label.detectedLevel } });
    return label;
  });

  server.post<{ Params: { id: string } }>('/console/api/messages/:id/risk-label', { preHandler: guard('supervisor') }, async (request) => {
    const { id } = parse(idParam, request.params);
    const body = parse(z.object({ level }), request.body);
    const staff = staffOf(request);
    const label = await labelMissedRisk(db, { messageId: id, actorId: staff.id, level: body.level });
    await audit(db, { actorId: staff.id, action: 'risk.label', subjectType: 'conversation', subjectId: id, detail: { verdict: 'missed', level: label.level, detected: label.detectedLevel } });
    return label;
  });
}
