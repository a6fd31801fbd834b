/**
 * Channel health for admins (issue 18 item 5): each channel's state (configured, last inbound
 * message, pending and failed outbound, the last delivery error with its code) and, for Telegram
 * and LINE, a check that asks the platform whether its webhook reaches us. Checks are audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import type { Db } from '../../core/db/client.js';
import { channelHealth } from '../../core/ops/channel-health.js';
import { audit } from '../audit.js';
import { staffOf, type makeGuard } from '../auth/guard.js';
import { CHECKABLE, checkChannel, type ChannelCheck } from '../channel-checks.js';
import { parse } from './auth.js';

export function channelRoutes(
  server: FastifyInstance,
  deps: { db: Db; guard: ReturnType<typeof makeGuard>; config: Config; channels: () => Record<string, boolean>; check?: (channel: (typeof CHECKABLE)[number], config: Config) => Promise<ChannelCheck> },
): void {
  const { db, guard } = deps;
  server.get('/console/api/channels', { preHandler: guard('admin') }, async () => {
    const health = await channelHealth(db, deps.channels());
    return health.map((h) => ({ ...h, checkable: (CHECKABLE as readonly string[]).includes(h.channel) && h.configured }));
  });

  server.post<{ Params: { channel: string } }>('/console/api/channels/:channel/check', { preHandler: guard('admin') }, async (request) => {
    const { channel } = parse(z.object({ channel: z.enum(CHECKABLE) }), request.params);
    const result = await (deps.check ?? checkChannel)(channel, deps.config);
    await audit(db, { actorId: staffOf(request).id, action: 'channel.check', subjectType: 'channel', detail: { channel, verdict: result.verdict } });
    return result;
  });
}
