/**
 * The console's live channel: a WebSocket per signed-in browser. The upgrade needs a valid session
 * (cookie) and, from a browser, this site's own Origin (no cross-site WebSocket hijacking). Bus
 * events are forwarded as ids only; the page fetches what changed (all of it on `bus.resync`, when
 * events may have been missed). A socket closes when its session ends: at once on logout,
 * disabling, a password change or a 2FA reset (a bus event), and within SESSION_RECHECK_MS when it
 * expires.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../core/db/client.js';
import type { EventBus } from '../core/events/bus.js';
import { atLeast, sameOrigin } from './auth/guard.js';
import { SESSION_COOKIE, sessionFor, type StaffIdentity } from './auth/sessions.js';

export const SESSION_RECHECK_MS = 15_000;
/** Forwarded to every console as ids; bus.resync: events may have been missed (another instance's come over PostgreSQL): reload. */
const FORWARDED = ['handoff.created', 'handoff.updated', 'conversation.message', 'sla.breached', 'delivery.rejected', 'delivery.failed', 'report.message', 'bus.resync'];

interface LiveSocket {
  ws: { send(data: string): void; readyState: number; OPEN: number; close(code?: number, reason?: string): void; on(event: 'close', listener: () => void): void };
  staff: StaffIdentity;
}

export function liveRoutes(server: FastifyInstance, deps: { db: Db; bus: EventBus; recheckMs?: number }): () => void {
  const sockets = new Set<LiveSocket>();
  const drop = (socket: LiveSocket) => {
    sockets.delete(socket);
    socket.ws.close(4401, 'session ended');
  };
  const unsubscribe = deps.bus.subscribe((event) => {
    if (event.type === 'staff.sessions_ended') {
      for (const s of sockets) {
        if (s.staff.id !== event.userId || (event.sessionId && s.staff.sessionId !== event.sessionId) || s.staff.sessionId === event.exceptSessionId) continue;
        drop(s);
      }
      return;
    }
    if (event.type === 'security.login_pressure') {
      const data = JSON.stringify({ type: event.type, attempts: event.attempts, windowSeconds: event.windowSeconds });
      for (const s of sockets) if (atLeast(s.staff, 'supervisor') && s.ws.readyState === s.ws.OPEN) s.ws.send(data);
      return;
    }
    // Offers and availability: only to the counsellor concerned and to supervisors.
    if (event.type === 'handoff.offered' || event.type === 'handoff.offer_ended' || event.type === 'staff.availability') {
      const userId = event.type === 'staff.availability' ? event.userId : event.counsellorId;
      const data = JSON.stringify(event);
      for (const s of sockets) if ((s.staff.id === userId || atLeast(s.staff, 'supervisor')) && s.ws.readyState === s.ws.OPEN) s.ws.send(data);
      return;
    }
    if (!FORWARDED.includes(event.type)) return;
    const data = JSON.stringify({
      type: event.type,
      ...('conversationId' in event ? { conversationId: event.conversationId } : {}),
      ...('handoffId' in event ? { handoffId: event.handoffId } : {}),
      ...(event.type === 'delivery.failed' ? { messageId: event.messageId, code: event.code } : {}),
      ...(event.type === 'report.message' ? { reportId: event.reportId, author: event.author } : {}),
    });
    for (const s of sockets) if (s.ws.readyState === s.ws.OPEN) s.ws.send(data);
  });
  // Expired sessions (and anything the events missed) are found by a periodic re-check.
  const timer = setInterval(() => {
    const now = new Date();
    for (const s of sockets) {
      void deps.db.staffSession
        .findUnique({ where: { id: s.staff.sessionId }, select: { expiresAt: true, user: { select: { disabled: true } } } })
        .then((row) => {
          if (!row || row.expiresAt <= now || row.user.disabled) drop(s);
        }, () => {});
    }
  }, deps.recheckMs ?? SESSION_RECHECK_MS);
  timer.unref();

  server.get(
    '/console/ws',
    {
      websocket: true,
      // Refused before the upgrade: another site's page, or no valid session.
      preValidation: async (request, reply) => {
        const origin = request.headers.origin;
        if (origin !== undefined && !sameOrigin(origin, request.headers.host)) return reply.status(403).send({ error: { code: 'FORBIDDEN', message: 'cross-origin WebSocket refused' } });
        const staff = await sessionFor(deps.db, request.cookies[SESSION_COOKIE], new Date());
        if (!staff || staff.enrolOnly) return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: 'log in first' } });
        (request as { liveStaff?: StaffIdentity }).liveStaff = staff;
      },
    },
    (ws, request) => {
      const staff = (request as { liveStaff?: StaffIdentity }).liveStaff;
      if (!staff) return ws.close(4401, 'log in first');
      const socket: LiveSocket = { ws, staff };
      sockets.add(socket);
      ws.on('close', () => sockets.delete(socket));
      ws.send(JSON.stringify({ type: 'hello' }));
    },
  );
  return () => {
    clearInterval(timer);
    unsubscribe();
    for (const s of sockets) s.ws.close(1001);
    sockets.clear();
  };
}
