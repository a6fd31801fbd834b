/** Messages that were not delivered (dead letters, core/outbox/dead-letters.ts): a supervisor sends one again. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../core/db/client.js';
import type { EventBus } from '../../core/events/bus.js';
import { retryMessage } from '../../core/outbox/dead-letters.js';
import { audit } from '../audit.js';
import { staffOf, type makeGuard } from '../auth/guard.js';
import { parse } from './auth.js';

export function deliveryRoutes(server: FastifyInstance, deps: { db: Db; bus: EventBus; guard: ReturnType<typeof makeGuard>; kickOutbox?: () => void }): void {
  server.post<{ Params: { id: string } }>('/console/api/messages/:id/retry', { preHandler: deps.guard('supervisor') }, async (request) => {
    const { id } = parse(z.object({ id: z.string().uuid() }), request.params);
    const result = await retryMessage({ db: deps.db, bus: deps.bus }, id);
    await audit(deps.db, { actorId: staffOf(request).id, action: 'message.retry', subjectType: 'conversation', subjectId: result.conversationId, detail: { messageId: id } });
    deps.kickOutbox?.();
    return { id: result.id, status: result.status };
  });
}
