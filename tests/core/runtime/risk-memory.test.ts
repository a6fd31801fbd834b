/**
 * Risk memory through handleTurn: a conversation that reached high stays at least elevated; several
 * elevated messages in a short window escalate; an answer to "is someone in danger now?" counts.
 * A scripted detector gives each test message a known level, so these tests are about the memory,
 * not about the words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NO_RISK, type RiskAssessment, type RiskDetector, type RiskLevelName } from '../../../core/risk/types.js';
import { ACCUMULATE_WINDOW_MS, MEMORY_MS } from '../../../core/runtime/risk-memory.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/db.js';
import { driver } from '../../flows/helpers.js';

const scripted: RiskDetector = {
  assess(text: string): RiskAssessment {
    const level = /^(elevated|high|emergency)\b/.exec(text)?.[1] as RiskLevelName | undefined;
    return level ? { level, categories: ['trafficking'], matches: [] } : NO_RISK;
  },
};

describe('risk memory across turns', () => {
  let app: TestApp;
  let clockMs = Date.parse('2026-12-01T10:00:00Z');
  const clock = () => new Date(clockMs);
  const start = async (env: Record<string, string> = {}) => {
    clockMs = Date.parse('2026-12-01T10:00:00Z');
    app = await createTestApp({ database: await createTestDatabase(), clock, detector: scripted, env });
  };
  afterEach(async () => {
    await app?.close();
  });

  it('after a high message, later ordinary messages count as elevated (and escalate at an elevated threshold) for a day', async () => {
    await start({ RISK_HANDOFF_LEVEL: 'elevated' });
    const u = driver(app, 'memory');
    await u.text('hello');
    await u.choose('lang.en');
    const high = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'memory', externalMessageId: 'h1', kind: 'text', payload: { text: 'high: they keep my passport' } });
    expect(high.risk.level).toBe('high');
    // The counsellor hands the chat back; the next plain message is remembered as elevated.
    const handoff = await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId: high.conversationId } });
    await app.runtime.returnToBot({ handoffId: handoff.id, actorId: handoff.id, asSupervisor: true, outcome: 'handed_back' });
    clockMs += 60_000;
    const later = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'memory', externalMessageId: 'p1', kind: 'text', payload: { text: 'ok thanks' } });
    expect(later.risk.level).toBe('elevated');
    expect((later.risk as { source?: string }).source).toBe('memory');
    expect(later.handoffId).toBeTruthy(); // at an elevated threshold, memory alone brings a counsellor back
    // Memory is not stored as if the person had said something risky.
    expect(await app.database.prisma.riskEvent.count({ where: { conversationId: high.conversationId, source: 'memory' } })).toBe(0);

    // A day later it has faded.
    const h2 = await app.database.prisma.handoff.findFirstOrThrow({ where: { conversationId: high.conversationId, state: 'waiting' } });
    await app.runtime.returnToBot({ handoffId: h2.id, actorId: h2.id, asSupervisor: true, outcome: 'handed_back' });
    clockMs += MEMORY_MS + 1000;
    const faded = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'memory', externalMessageId: 'p2', kind: 'text', payload: { text: 'hello again' } });
    expect(faded.risk.level).toBe('none');
  });

  it('three elevated messages within the window add up to high and reach a counsellor', async () => {
    await start();
    const u = driver(app, 'accumulate');
    await u.text('hello');
    await u.choose('lang.en');
    const first = await u.text('elevated: a job in Cambodia pays 2000 usd');
    expect(first.handoffId).toBeUndefined();
    clockMs += 60_000;
    const second = await u.text('elevated: they said no experience needed');
    expect(second.handoffId).toBeUndefined();
    clockMs += 60_000;
    const third = await app.runtime.handleTurn({ channel: 'test', externalUserId: 'accumulate', externalMessageId: 'e3', kind: 'text', payload: { text: 'elevated: and they pay the flight, I repay from salary' } });
    expect(third.risk.level).toBe('high');
    expect((third.risk as { source?: string }).source).toBe('accumulated');
    expect(third.handoffId).toBeTruthy();
    const events = await app.database.prisma.riskEvent.findMany({ where: { conversationId: third.conversationId }, orderBy: { createdAt: 'asc' } });
    expect(events.map((e) => e.source)).toEqual(['rules', 'rules', 'accumulated']);
  });

  it('elevated messages far apart do not add up', async () => {
    await start();
    const u = driver(app, 'spread');
    await u.text('hello');
    await u.choose('lang.en');
    for (let i = 0; i < 3; i++) {
      const said = await u.text(`elevated: message ${i}`);
      expect(said.handoffId).toBeUndefined();
      clockMs += ACCUMULATE_WINDOW_MS;
    }
  });

  it('"someone is in danger now: yes" in a report counts as an emergency in the conversation\'s memory', async () => {
    await start();
    const u = driver(app, 'flow-answer');
    await u.text('hello');
    await u.choose('lang.en');
    await u.choose('report');
    await u.choose('report.new');
    await u.choose('cat.scam_compound');
    // Walk to the danger question, skipping or taking the first option of each question.
    let said = await u.choose('prov.ha-noi');
    for (let i = 0; i < 10 && !said.choices.some((c) => c.id === 'yes'); i++) {
      const skip = said.choices.find((c) => c.id === 'skip') ?? said.choices.find((c) => !c.id.startsWith('nav.'));
      said = await u.choose(skip!.id);
    }
    const danger = await u.choose('yes');
    expect(danger.handoffId).toBeTruthy();
    const event = await app.database.prisma.riskEvent.findFirstOrThrow({ where: { conversationId: u.conversationId!, source: 'flow' } });
    expect(event.level).toBe('emergency');
    const conversation = await app.database.prisma.conversation.findUniqueOrThrow({ where: { id: u.conversationId! } });
    expect(conversation.riskLevel).toBe('emergency');
  });
});
