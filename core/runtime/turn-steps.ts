/**
 * The steps of a turn, between reading the conversation and saving it (core/runtime/handle-turn.ts
 * reads and saves; core/runtime/turn-store.ts holds the SQL):
 * - the main flow (flows/main) and the waiting room (flows/waiting), rehydrated and stepped, their
 *   outputs performed (replies, language, effects, handoffs, erasure, queue and safety actions);
 * - escalation to the counsellor queue, with emergency guidance that fits where the person is;
 * - risk events and memory gathered for the save.
 * Everything here works on a Turn and the turn's transaction; nothing is written to the
 * conversation row until the handler saves the turn.
 */
import type { FlowDefinition, FlowEvent, Locale } from '../../flows/types.js';
import { WAITING_FLOW } from '../../flows/waiting/machine.js';
import type { Tx } from '../db/tx.js';
import type { BusEvent } from '../events/bus.js';
import { toLocale } from '../i18n/index.js';
import type { OutboundMessage } from '../messages/types.js';
import { enqueueAndPlace, queuePosition, type HandoffReason } from '../queue/handoffs.js';
import { NO_RISK, riskRank, type RiskLevelName } from '../risk/types.js';
import { emergencyGuidance, numbersText } from '../safety/guidance.js';
import { decodeWhereabouts, encodeWhereabouts, mergeWhereabouts, type Whereabouts } from '../safety/whereabouts.js';
import type { StoredFlow } from './flow-session.js';
import type { FlowSession } from './flow-session.js';
import { atRest, reportInProgress, stepFlow, storedValue } from './flow-step.js';
import { renderReply } from './render.js';
import { nextMemory, type RiskMemory, type TurnRisk } from './risk-memory.js';
import type { ConversationRow, RiskEventRow } from './turn-store.js';
import type { EffectHandler, TurnContext } from './turn-context.js';

/** Recorded when a person cancels their own request while waiting. */
export const CANCELLED_BY_USER = 'cancelled_by_user';

/** Everything one turn (or one counsellor hand-back) works on, until it is saved. */
export interface Turn {
  tx: Tx;
  now: Date;
  conversation: ConversationRow;
  identityId: string;
  channel: string;
  locale: Locale;
  /** Replies of this turn, in order. */
  outbound: OutboundMessage[];
  events: BusEvent[];
  where: Whereabouts | undefined;
  status: 'bot' | 'queued' | 'counsellor';
  mainSnapshot: unknown;
  waitSnapshot: unknown;
  memory: RiskMemory;
  /** Risk events to store with the turn. */
  riskEvents: RiskEventRow[];
  handoffId?: string;
  erase: boolean;
  /** The inbound message held a secret: its stored text is masked when the turn is saved. */
  maskInbound?: boolean;
  ctx: TurnContext;
}

export interface TurnStepsOptions {
  flow: FlowDefinition;
  slaSeconds: number;
  defaultLocale: Locale;
  effects?: Record<string, EffectHandler>;
}

export class TurnSteps {
  constructor(private readonly options: TurnStepsOptions) {}

  /** A turn on a conversation as read (its flows, language, status, where the person is and risk memory). */
  openTurn(tx: Tx, conversation: ConversationRow, opts: { identityId: string; now: Date; events: BusEvent[] }): Turn {
    const outbound: OutboundMessage[] = [];
    const turn: Turn = {
      tx,
      now: opts.now,
      conversation,
      identityId: opts.identityId,
      channel: conversation.channel,
      locale: (toLocale(conversation.locale) ?? this.options.defaultLocale) as Locale,
      outbound,
      events: opts.events,
      where: decodeWhereabouts(conversation.whereabouts),
      status: conversation.status === 'closed' ? 'bot' : conversation.status,
      mainSnapshot: conversation.snapshot,
      waitSnapshot: conversation.waitSnapshot,
      memory: { riskLevel: conversation.riskLevel, riskAt: conversation.riskAt },
      riskEvents: [],
      erase: false,
      ctx: undefined as unknown as TurnContext,
    };
    turn.ctx = {
      tx,
      conversationId: conversation.id,
      channel: conversation.channel,
      now: opts.now,
      get locale() {
        return turn.locale;
      },
      set locale(value: Locale) {
        turn.locale = value;
      },
      send: (message) => outbound.push(message),
      say: (reply) => outbound.push(renderReply(turn.locale, { type: 'reply', ...reply })),
      maskInbound: () => {
        turn.maskInbound = true;
      },
      publish: (event) => turn.events.push(event),
    };
    return turn;
  }

  /** Gathers a risk event for the save (ids and spans only, never the text). */
  recordRisk(turn: Turn, messageId: string | null, risk: TurnRisk): void {
    const scores = (risk as { modelScores?: unknown }).modelScores;
    turn.riskEvents.push({
      messageId,
      level: risk.level,
      categories: risk.categories,
      matches: risk.matches.map((m) => ({ id: m.id, category: m.category, level: m.level, start: m.start, end: m.end })),
      source: risk.source,
      ...(scores ? { modelScores: scores } : {}),
    });
  }

  /** Raises the open handoff's priority and level when this message is riskier; says whether it just became an emergency. */
  async raiseWaiting(turn: Turn, level: RiskLevelName, categories: string[]): Promise<{ toEmergency: boolean } | undefined> {
    const placed = await enqueueAndPlace(turn.tx, { conversationId: turn.conversation.id, level, categories, reason: 'risk', slaSeconds: this.options.slaSeconds, now: turn.now, onlyIfOpen: true });
    if (!placed?.previous) return undefined;
    turn.handoffId = placed.handoffId;
    if (placed.priority > placed.previous.priority || riskRank(level) > riskRank(placed.previous.level)) {
      turn.events.push({ type: 'handoff.updated', handoffId: placed.handoffId, conversationId: turn.conversation.id });
    }
    return { toEmergency: level === 'emergency' && placed.previous.level !== 'emergency' && placed.previous.priority < 3 };
  }

  /** The acknowledgement, the numbers for where the person is, and advice when they may be held. */
  guide(turn: Turn, opts: { confined: boolean }): void {
    for (const message of emergencyGuidance(turn.locale, turn.where, opts)) turn.ctx.send(message);
  }

  private queuedEvent(turn: Turn, emergency: boolean, interrupted = !atRest(storedValue(turn.mainSnapshot))): FlowEvent {
    return { type: 'QUEUED', emergency, whereKnown: !!turn.where, interrupted, reportInProgress: reportInProgress(turn.mainSnapshot) };
  }

  /**
   * Puts the chat in the counsellor queue (or raises the waiting one) and greets the person in the
   * waiting room: emergency guidance first when it is one, their place and the usual wait, whether
   * what they started is kept, then the waiting room's questions and buttons.
   */
  async escalate(
    turn: Turn,
    input: { level: RiskLevelName; reason: HandoffReason; categories: string[]; details?: Record<string, unknown>; /** Replies that follow the guidance (the flow's answer to the same message). */ afterGuidance?: OutboundMessage[] },
  ): Promise<void> {
    const alreadyQueued = turn.status === 'queued';
    const placed = (await enqueueAndPlace(turn.tx, { conversationId: turn.conversation.id, level: input.level, categories: input.categories, reason: input.reason, slaSeconds: this.options.slaSeconds, now: turn.now, ...(input.details ? { details: input.details } : {}) }))!;
    turn.handoffId = placed.handoffId;
    turn.status = 'queued';
    turn.events.push({ type: placed.created ? 'handoff.created' : 'handoff.updated', handoffId: placed.handoffId, conversationId: turn.conversation.id, priority: placed.priority } as BusEvent);
    const emergency = input.level === 'emergency' || input.reason === 'in_danger';
    const raised = !!placed.previous && placed.priority > placed.previous.priority;
    if (alreadyQueued && !placed.created) {
      // Asked again while using the assistant in the queue: back to the waiting room, place kept.
      if (emergency && raised) this.guide(turn, { confined: input.categories.includes('confinement') });
      for (const message of input.afterGuidance ?? []) turn.outbound.push(message);
      await this.runWaiting(turn, [emergency && raised ? this.queuedEvent(turn, true) : { type: 'WAIT' }]);
      return;
    }
    if (emergency) this.guide(turn, { confined: input.categories.includes('confinement') });
    for (const message of input.afterGuidance ?? []) turn.outbound.push(message);
    const { position, typicalWaitMinutes: minutes } = placed;
    turn.ctx.say(minutes ? { key: 'queue:positionWithWait', params: { position, minutes } } : { key: 'queue:position', params: { position } });
    const interrupted = !atRest(storedValue(turn.mainSnapshot));
    if (interrupted) turn.ctx.say({ key: 'queue:kept' });
    turn.waitSnapshot = null; // a fresh wait
    await this.runWaiting(turn, [this.queuedEvent(turn, emergency, interrupted)]);
  }

  /** Steps the main conversation flow with the events `pick` gives (see stepFlow). */
  async runMain(turn: Turn, pick: (session: FlowSession) => FlowEvent[] | null, messageId?: string): Promise<void> {
    const flow = this.options.flow;
    const stored: StoredFlow = { machineId: turn.conversation.machineId, machineVersion: turn.conversation.machineVersion, snapshot: turn.mainSnapshot };
    const result = await stepFlow(
      flow,
      turn.mainSnapshot === null || turn.mainSnapshot === undefined ? null : stored,
      pick,
      async (output) => {
        switch (output.type) {
          case 'reply':
            turn.ctx.say(output);
            return;
          case 'setLocale':
            turn.locale = output.locale;
            return;
          case 'handoff': {
            if (output.reason === 'in_danger' && messageId) {
              // An answer to "is someone in danger now?" counts like a message at emergency.
              this.recordRisk(turn, messageId, { ...NO_RISK, level: 'emergency', categories: ['immediate_danger'], source: 'flow', assessedLevel: 'none' });
              turn.memory = nextMemory(turn.memory, 'emergency', turn.now);
            }
            const details = (output as { details?: Record<string, unknown> }).details;
            await this.escalate(turn, {
              level: output.reason === 'in_danger' ? 'emergency' : 'none',
              reason: output.reason,
              categories: output.categories ?? [],
              ...(details ? { details } : {}),
            });
            return;
          }
          case 'erase':
            turn.erase = true;
            return;
          case 'effect': {
            const handler = this.options.effects?.[output.name];
            if (!handler) throw new Error(`no effect handler for ${output.name}`);
            return handler(turn.ctx, output.data);
          }
          default:
            return;
        }
      },
      () => turn.ctx.say({ key: 'common.flowUpdated' }),
    );
    turn.mainSnapshot = result.snapshot;
  }

  /** Steps the waiting room (flows/waiting) and performs what it asks: queue status, assistant, cancel, safety. */
  async runWaiting(turn: Turn, events: FlowEvent[]): Promise<void> {
    const stored: StoredFlow | null = turn.waitSnapshot ? { machineId: WAITING_FLOW.id, machineVersion: WAITING_FLOW.version, snapshot: turn.waitSnapshot } : null;
    const after: (() => Promise<void>)[] = [];
    const result = await stepFlow(
      WAITING_FLOW,
      stored,
      (session) => (session.fresh && events[0]?.type !== 'QUEUED' ? [this.queuedEvent(turn, false, false), ...events] : events),
      async (output) => {
        switch (output.type) {
          case 'reply':
            turn.ctx.say(output);
            return;
          case 'setLocale':
            turn.locale = output.locale;
            return;
          case 'queue':
            if (output.action === 'status') {
              const handoff = await this.openHandoff(turn);
              if (handoff) turn.ctx.say({ key: 'queue:stillWaiting', params: { position: await queuePosition(turn.tx, handoff.id) } });
            } else if (output.action === 'toAssistant') {
              after.push(() => this.toAssistant(turn, output.start, output.forward));
            } else if (output.action === 'cancel') {
              after.push(() => this.cancelWait(turn));
            }
            return;
          case 'safety':
            if (output.action === 'setWhere' && output.where) {
              turn.where = output.where === 'vn' ? { where: 'vn' } : mergeWhereabouts(turn.where?.where === 'abroad' ? turn.where : undefined, { where: 'abroad' });
            } else if (output.action === 'numbers') {
              turn.ctx.send({ author: 'bot', urgent: true, text: numbersText(turn.locale, turn.where) });
            } else if (output.action === 'flag' && output.flag) {
              const handoff = await this.openHandoff(turn);
              if (handoff) {
                await turn.tx.handoff.update({ where: { id: handoff.id }, data: { categories: [...new Set([...handoff.categories, output.flag === 'watched' ? 'phone_watched' : 'must_be_quick'])] } });
                turn.events.push({ type: 'handoff.updated', handoffId: handoff.id, conversationId: turn.conversation.id });
              }
            }
            return;
          default:
            return;
        }
      },
    );
    turn.waitSnapshot = result.snapshot;
    for (const step of after) await step();
  }

  private openHandoff(turn: Turn) {
    return turn.tx.handoff.findFirst({ where: { conversationId: turn.conversation.id, state: 'waiting' }, orderBy: { createdAt: 'desc' } });
  }

  /** The assistant answers again while the place in the queue is kept: continue what was started, or a report. */
  private async toAssistant(turn: Turn, start?: 'report', forward?: FlowEvent): Promise<void> {
    turn.ctx.say({ key: 'queue:keptPlace' });
    const value = storedValue(turn.mainSnapshot);
    await this.runMain(turn, () => {
      if (forward) return [forward];
      if (start === 'report') return [{ type: 'OPEN', flow: 'report' }];
      return atRest(value) ? [{ type: 'MENU' }] : [{ type: 'RESUME' }];
    });
  }

  /** The person no longer wants a counsellor: the handoff closes and the assistant carries on. */
  private async cancelWait(turn: Turn): Promise<void> {
    const handoff = await this.openHandoff(turn);
    if (handoff) {
      await turn.tx.handoff.update({ where: { id: handoff.id }, data: { state: 'closed', closedAt: turn.now, outcome: CANCELLED_BY_USER } });
      turn.events.push({ type: 'handoff.updated', handoffId: handoff.id, conversationId: turn.conversation.id });
    }
    turn.status = 'bot';
    turn.waitSnapshot = null;
    turn.ctx.say({ key: 'queue:cancelled' });
    const value = storedValue(turn.mainSnapshot);
    await this.runMain(turn, () => (atRest(value) ? [{ type: 'MENU' }] : [{ type: 'RESUME' }]));
  }

  /** What the save writes to the conversation row (see turn-store.ts saveTurn). */
  conversationFields(turn: Turn, extra: { externalChatId?: string; channelRef?: string } = {}) {
    const lastBot = [...turn.outbound].reverse().find((m) => m.author === 'bot');
    return {
      snapshot: turn.mainSnapshot ?? null,
      waitSnapshot: turn.status === 'queued' && turn.waitSnapshot ? turn.waitSnapshot : null,
      machineId: this.options.flow.id,
      machineVersion: this.options.flow.version,
      locale: turn.locale,
      status: turn.status,
      riskLevel: turn.memory.riskLevel,
      riskAt: turn.memory.riskAt,
      whereabouts: turn.where ? encodeWhereabouts(turn.where) : null,
      ...(lastBot ? { offeredChoices: lastBot.choices ?? [] } : {}),
      ...extra,
    };
  }
}
