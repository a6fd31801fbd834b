/**
 * Counsellor labels: how the detector improves in service. The holder of a chat marks its escalation
 * right, too high or too low; a supervisor marks any message of a transcript as a missed risk with
 * its level. Each label keeps the message text (sealed at rest like every message, erased with the
 * conversation) so `npm run risk:export-labels -- FILE` can write them as training TSV, and
 * `npm run risk:train -- --extra FILE` can learn from them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { RISK_LEVELS, riskRank, type RiskLevelName } from './types.js';

export const ESCALATION_VERDICTS = ['right', 'too_high', 'too_low'] as const;
export type EscalationVerdict = (typeof ESCALATION_VERDICTS)[number];

const stepLevel = (level: RiskLevelName, by: number): RiskLevelName => RISK_LEVELS[Math.min(3, Math.max(0, riskRank(level) + by))]!;

/** The message that raised a chat's escalation: the riskiest one with a risk event up to the handoff. */
async function escalatingMessage(db: Db, handoff: { conversationId: string; createdAt: Date }) {
  const events = await db.riskEvent.findMany({
    where: { conversationId: handoff.conversationId, messageId: { not: null }, createdAt: { lte: new Date(handoff.createdAt.getTime() + 1000) } },
    orderBy: { createdAt: 'desc' },
    take: 50,
  });
  const best = events.sort((a, b) => riskRank(b.level) - riskRank(a.level))[0];
  return best ? { messageId: best.messageId!, level: best.level as RiskLevelName } : undefined;
}

export async function labelEscalation(
  db: Db,
  input: { handoffId: string; actorId: string; asSupervisor: boolean; verdict: EscalationVerdict; level?: RiskLevelName },
): Promise<{ id: string; level: RiskLevelName; detectedLevel: RiskLevelName }> {
  const handoff = await db.handoff.findUnique({ where: { id: input.handoffId } });
  if (!handoff) throw new AppError('HANDOFF_NOT_FOUND', 'no such chat', 404);
  if (handoff.counsellorId !== input.actorId && !input.asSupervisor) throw new AppError('HANDOFF_NOT_OWNER', 'only the counsellor holding this chat can label it', 403);
  const source = await escalatingMessage(db, handoff);
  if (!source) throw new AppError('NOTHING_TO_LABEL', 'this chat was not escalated by a message (it was a request)', 409);
  const detected = source.level;
  const level = input.verdict === 'right' ? detected : (input.level ?? stepLevel(detected, input.verdict === 'too_high' ? -1 : 1));
  if (input.verdict === 'too_high' && riskRank(level) >= riskRank(detected)) throw new AppError('BAD_INPUT', 'a "too high" label needs a lower level than the detector gave', 400);
  if (input.verdict === 'too_low' && riskRank(level) <= riskRank(detected)) throw new AppError('BAD_INPUT', 'a "too low" label needs a higher level than the detector gave', 400);
  return saveLabel(db, { conversationId: handoff.conversationId, handoffId: handoff.id, messageId: source.messageId, verdict: input.verdict, level, detectedLevel: detected, authorId: input.actorId });
}

/** A supervisor marks a user message the detector missed (or misjudged) with the level it deserves. */
export async function labelMissedRisk(db: Db, input: { messageId: string; actorId: string; level: RiskLevelName }): Promise<{ id: string; level: RiskLevelName; detectedLevel: RiskLevelName }> {
  const message = await db.message.findUnique({ where: { id: input.messageId }, select: { id: true, conversationId: true, direction: true, author: true, text: true } });
  if (!message) throw new AppError('MESSAGE_NOT_FOUND', 'no such message', 404);
  if (message.direction !== 'inbound' || message.author !== 'user' || !message.text) throw new AppError('BAD_INPUT', 'only a message the person typed can be labelled', 400);
  const event = await db.riskEvent.findFirst({ where: { messageId: message.id }, orderBy: { createdAt: 'desc' } });
  const detected = (event?.level ?? 'none') as RiskLevelName;
  return saveLabel(db, { conversationId: message.conversationId, handoffId: null, messageId: message.id, verdict: 'missed', level: input.level, detectedLevel: detected, authorId: input.actorId });
}

async function saveLabel(
  db: Db,
  label: { conversationId: string; handoffId: string | null; messageId: string; verdict: string; level: RiskLevelName; detectedLevel: RiskLevelName; authorId: string },
) {
  const message = await db.message.findUniqueOrThrow({ where: { id: label.messageId }, select: { text: true } });
  const row = await db.riskLabel.upsert({
    where: { messageId_authorId: { messageId: label.messageId, authorId: label.authorId } },
    create: { ...label, text: message.text ?? '' },
    update: { verdict: label.verdict, level: label.level, detectedLevel: label.detectedLevel, handoffId: label.handoffId },
    select: { id: true, level: true, detectedLevel: true },
  });
  return { id: row.id, level: row.level as RiskLevelName, detectedLevel: row.detectedLevel as RiskLevelName };
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Writes every label as training TSV (`level<TAB>text`, the format of core/risk/training). The file
 * must be outside the repository: labels are people's words and never go into version control.
 * When several staff labelled one message, the latest label wins.
 */
export async function exportLabels(db: Db, file: string): Promise<{ count: number; file: string }> {
  const target = path.resolve(file);
  const relative = path.relative(REPO_ROOT, target);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new AppError('BAD_INPUT', 'write labels outside the repository: they are what people said and must never be committed', 400);
  }
  const labels = await db.riskLabel.findMany({ orderBy: { createdAt: 'asc' }, select: { messageId: true, level: true, text: true } });
  const latest = new Map(labels.map((l) => [l.messageId, l]));
  const lines = [...latest.values()].map((l) => `${l.level}\t${l.text.replace(/[\t\r\n]+/g, ' ').trim()}`).filter((l) => l.split('\t')[1]);
  const header = `# counsellor labels exported ${new Date().toISOString()}: level<TAB>text; people's words, keep this file private and delete it after training\n`;
  await writeFile(target, header + lines.join('\n') + (lines.length ? '\n' : ''), { mode: 0o600 });
  return { count: lines.length, file: target };
}
