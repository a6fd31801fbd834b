/**
 * Risk memory across turns. One message rarely tells the whole story, so a conversation remembers:
 * - after it reached high or emergency, its next messages count as at least elevated (for a day);
 * - several elevated messages within a short window add up to high ("accumulated");
 * - an answer to a flow question ("is someone in danger now? yes") counts like a message at that level.
 */
import type { Tx } from '../db/tx.js';
import { riskRank, type RiskAssessment, type RiskLevelName } from '../risk/types.js';

/** How long a conversation that reached high keeps a floor of elevated. */
export const MEMORY_MS = 24 * 60 * 60 * 1000;
/** Elevated messages (its own words, not memory) within this window... */
export const ACCUMULATE_WINDOW_MS = 15 * 60 * 1000;
/** ...that make a conversation high when there are this many (this message included). */
export const ACCUMULATE_COUNT = 3;

/** Where a level came from, as stored in RiskEvent.source. */
export type RiskSource = 'rules' | 'model' | 'both' | 'memory' | 'accumulated' | 'flow';

export interface TurnRisk extends RiskAssessment {
  source: RiskSource;
  /** The detector's own level for this message, before memory. */
  assessedLevel: RiskLevelName;
}

export interface RiskMemory {
  riskLevel: RiskLevelName;
  riskAt: Date | null;
}

/** Sources that are the person's own words (memory does not feed accumulation). */
export const OWN_WORDS: RiskSource[] = ['rules', 'model', 'both', 'flow'];

const higher = (a: RiskLevelName, b: RiskLevelName) => (riskRank(a) >= riskRank(b) ? a : b);

function detectorSource(assessed: RiskAssessment): RiskSource {
  const source = (assessed as { source?: string }).source;
  return source === 'model' || source === 'both' ? source : 'rules';
}

/** Whether the remembered level still applies at `now`. */
export function rememberedLevel(memory: RiskMemory, now: Date): RiskLevelName {
  if (!memory.riskAt || now.getTime() - memory.riskAt.getTime() > MEMORY_MS) return 'none';
  return memory.riskLevel;
}

/** The level this turn works with: the detector's, raised by memory and accumulation. */
export async function withRiskMemory(
  tx: Tx,
  input: { conversationId: string; memory: RiskMemory; assessed: RiskAssessment; now: Date },
): Promise<TurnRisk> {
  const { assessed, now } = input;
  let risk: TurnRisk = { ...assessed, source: detectorSource(assessed), assessedLevel: assessed.level };
  if (assessed.level === 'elevated') {
    const earlier = await tx.riskEvent.count({
      where: {
        conversationId: input.conversationId,
        createdAt: { gte: new Date(now.getTime() - ACCUMULATE_WINDOW_MS) },
        level: { in: ['elevated', 'high', 'emergency'] },
        source: { in: OWN_WORDS },
      },
    });
    if (earlier + 1 >= ACCUMULATE_COUNT) risk = { ...risk, level: 'high', source: 'accumulated' };
  }
  if (riskRank(rememberedLevel(input.memory, now)) >= riskRank('high') && risk.level === 'none') {
    risk = { ...risk, level: 'elevated', source: 'memory' };
  }
  return risk;
}

/** The conversation's memory after a turn at `level` (only high and above are remembered). */
export function nextMemory(memory: RiskMemory, level: RiskLevelName, now: Date): RiskMemory {
  if (riskRank(level) < riskRank('high')) return memory;
  const still = rememberedLevel(memory, now);
  return { riskLevel: higher(still, level), riskAt: now };
}
