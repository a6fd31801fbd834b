/**
 * The console's live channel: a WebSocket per signed-in browser (session cookie checked on
 * upgrade). Bus events are forwarded as ids only; the page fetches what changed (all of it on
 * `bus.resync`, when events may have been missed).
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../core/db/client.js';
import type { EventBus } from '../core/events/bus.js';
import { SESSION_COOKIE, sessionFor } from './auth/sessions.js';

export function liveRoutes(server: FastifyInstance, deps: { db: Db; bus: EventBus }): () => void {
  const sockets = new Set<{ send(data: string): void; readyState: number; OPEN: number; close(code?: number): void }>();
  const unsubscribe = deps.bus.subscribe((event) => {
    if (!['handoff.created', 'handoff.updated', 'conversation.message', 'sla.breached', 'delivery.rejected', 'bus.resync'].includes(event.type)) return;
    // bus.resync: events may have been missed (another instance's events come over PostgreSQL): reload.
    const data = JSON.stringify({
      type: event.type,
      ...('conversationId' in event ? { conversationId: event.conversationId } : {}),
      ...('handoffId' in event ? { handoffId: event.handoffId } : {}),
    });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data);
  });
  server.get('/console/ws', { websocket: true }, (ws, request) => {
    void sessionFor(deps.db, request.cookies[SESSION_COOKIE], new Date()).then((staff) => {
      if (!staff) return ws.close(4401, 'log in first');
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.send(JSON.stringify({ type: 'hello' }));
    });
  });
  return () => {
    unsubscribe();
    for (const ws of sockets) ws.close(1001);
  };
}
