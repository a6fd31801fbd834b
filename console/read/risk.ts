/**
 * Why a chat was escalated, for the console: the risk event that gave a handoff its level and what
 * raised it (rules, the model alone, both, risk memory, several elevated messages, a flow answer),
 * and each user message's own risk reading with the words that matched. Read-only.
 */
import type { Db } from '../../core/db/client.js';
import { riskRank, type RiskLevelName } from '../../core/risk/types.js';

export interface MessageRisk {
  messageId: string;
  level: RiskLevelName;
  source: string;
  categories: string[];
  /** The words that matched, cut from the person's message (staff only). */
  terms: string[];
  /** The model's probabilities (≥elevated, ≥high, emergency) when it ran. */
  modelScores: unknown;
  at: Date;
}

export interface Escalation {
  level: RiskLevelName;
  source: string;
  /** The statistical model alone raised it: no rule matched. The counsellor should check it. */
  modelOnly: boolean;
  categories: string[];
  terms: string[];
  at: Date;
}

interface StoredMatch {
  start: number;
  end: number;
  category: string;
}

/** Every risk reading of the conversations' user messages, oldest first, with the matched words. */
export async function messageRisks(db: Db, conversationIds: string[]): Promise<Map<string, MessageRisk[]>> {
  const byConversation = new Map<string, MessageRisk[]>();
  if (!conversationIds.length) return byConversation;
  const events = await db.riskEvent.findMany({
    where: { conversationId: { in: conversationIds } },
    orderBy: { createdAt: 'asc' },
    select: { conversationId: true, messageId: true, level: true, source: true, categories: true, matches: true, modelScores: true, createdAt: true },
    take: 5000,
  });
  const ids = [...new Set(events.map((e) => e.messageId).filter((id): id is string => !!id))];
  const texts = new Map((ids.length ? await db.message.findMany({ where: { id: { in: ids } }, select: { id: true, text: true } }) : []).map((m) => [m.id, m.text ?? '']));
  for (const e of events) {
    if (!e.messageId) continue;
    const text = texts.get(e.messageId) ?? '';
    const terms = [...new Set(((e.matches as StoredMatch[] | null) ?? []).map((m) => text.slice(m.start, m.end).trim()).filter(Boolean))];
    const list = byConversation.get(e.conversationId) ?? [];
    list.push({ messageId: e.messageId, level: e.level as RiskLevelName, source: e.source, categories: e.categories, terms, modelScores: e.modelScores ?? null, at: e.createdAt });
    byConversation.set(e.conversationId, list);
  }
  return byConversation;
}

/**
 * The reading that gave a handoff its level: among the conversation's readings up to the handoff's
 * end, the latest at that level made before the handoff was created (what escalated it), or else
 * the first at that level after (what raised it while it waited). Undefined for a request without risk.
 */
export function escalationOf(risks: MessageRisk[], handoff: { level: string; createdAt: Date; closedAt?: Date | null }): Escalation | undefined {
  if (handoff.level === 'none') return undefined;
  const end = handoff.closedAt ?? new Date(8.64e15);
  const created = handoff.createdAt.getTime() + 1000;
  const atLevel = risks.filter((r) => r.level === handoff.level && r.at <= end);
  const before = atLevel.filter((r) => r.at.getTime() <= created);
  const found = before.length ? before[before.length - 1] : atLevel.find((r) => r.at.getTime() > created);
  if (!found) return undefined;
  // The words of every reading since the escalation's window opened, so the counsellor sees them all.
  const window = risks.filter((r) => r.at <= end && r.at.getTime() >= found.at.getTime() - 24 * 3600_000 && riskRank(r.level) >= riskRank('elevated'));
  return {
    level: found.level,
    source: found.source,
    modelOnly: found.source === 'model',
    categories: found.categories,
    terms: [...new Set(window.flatMap((r) => r.terms))],
    at: found.at,
  };
}
