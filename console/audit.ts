/** The audit log: who opened which transcript or report, and who changed what. Never message text. */
import type { Db } from '../core/db/client.js';
import type { Tx } from '../core/db/tx.js';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  subjectType: 'conversation' | 'report' | 'handoff' | 'staff' | 'directory' | 'export' | 'channel';
  subjectId?: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

export async function audit(db: Db | Tx, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: { actorId: entry.actorId, action: entry.action, subjectType: entry.subjectType, subjectId: entry.subjectId ?? null, ...(entry.detail ? { detail: entry.detail } : {}) },
  });
}
