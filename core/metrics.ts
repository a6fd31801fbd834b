/** Prometheus metrics (GET /metrics). Labels are channels and codes, never user data. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    turns: new Counter({ name: 'hotline_turns_total', help: 'Inbound messages processed', labelNames: ['channel', 'status'], registers: [registry] }),
    turnSeconds: new Histogram({ name: 'hotline_turn_seconds', help: 'handleTurn duration', labelNames: ['channel'], registers: [registry], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] }),
    outboxSent: new Counter({ name: 'hotline_outbox_sent_total', help: 'Outbound messages delivered', labelNames: ['channel'], registers: [registry] }),
    outboxFailed: new Counter({ name: 'hotline_outbox_failed_total', help: 'Outbound messages given up', labelNames: ['channel', 'code'], registers: [registry] }),
    handoffs: new Counter({ name: 'hotline_handoffs_total', help: 'Chats sent to the counsellor queue', labelNames: ['priority'], registers: [registry] }),
    slaBreaches: new Counter({ name: 'hotline_sla_breaches_total', help: 'Handoffs nobody claimed within HANDOFF_SLA_SECONDS', labelNames: ['level'], registers: [registry] }),
    claims: new Counter({ name: 'hotline_handoff_claims_total', help: 'Chats claimed by a counsellor', registers: [registry] }),
    queueWaiting: new Gauge({ name: 'hotline_queue_waiting', help: 'Handoffs waiting for a counsellor', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
