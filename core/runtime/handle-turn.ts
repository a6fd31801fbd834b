/**
 * handleTurn: one inbound message, end to end, in one transaction (see ../shared/design.md):
 * dedupe → risk check → counsellor gate → escalation → flow step → compare-and-swap persist →
 * outbound messages written as pending for the outbox.
 */
import pRetry from 'p-retry';
import { z } from 'zod';
import type { FlowDefinition, FlowEvent, Locale } from '../../flows/types.js';
import { DEFAULT_FLOW } from '../../flows/index.js';
import { WAITING_FLOW, waitingHandsToAssistant } from '../../flows/waiting/machine.js';
import { Prisma } from '../db/generated/client.js';
import type { Db } from '../db/client.js';
import { TURN_TX_OPTIONS, type Tx } from '../db/tx.js';
import { AppError, CasConflictError } from '../errors.js';
import type { EventBus, BusEvent } from '../events/bus.js';
import { toLocale } from '../i18n/index.js';
import type { InboundMessage, OutboundChoice, OutboundMessage } from '../messages/types.js';
import { pseudonymFor } from '../privacy/pseudonym.js';
import { channelRefSchema, channelRefUpdate, sealChannelRef } from '../privacy/channel-ref.js';
import { enqueueHandoff, queuePosition, typicalWaitMinutes, type HandoffReason } from '../queue/handoffs.js';
import { CLOSE_OUTCOMES, HANDED_BACK, isCloseOutcome } from '../queue/outcomes.js';
import { answerSurvey, closeWithWrapUp, type WrapUp } from '../queue/wrap-up.js';
import { NO_RISK, riskRank, type RiskAssessment, type RiskDetector, type RiskLevelName } from '../risk/types.js';
import type { FlowSession, StoredFlow } from './flow-session.js';
import { atRest, reportInProgress, stepFlow, storedValue } from './flow-step.js';
import { nextMemory, withRiskMemory, type RiskMemory, type TurnRisk } from './risk-memory.js';
import { emergencyGuidance, numbersText } from '../safety/guidance.js';
import { decodeWhereabouts, encodeWhereabouts, mergeWhereabouts, whereaboutsFromText, type Whereabouts } from '../safety/whereabouts.js';
import { enqueueOutbound, maskSecrets } from '../outbox/enqueue.js';
import { toFlowEvent } from './intents.js';
import { renderReply } from './render.js';
import { fold } from '../../text/fold.js';
import type { EffectHandler, TurnContext } from './turn-context.js';

export interface RuntimeOptions {
  db: Db;
  pseudonymKey: Buffer;
  detector: RiskDetector;
  bus: EventBus;
  riskHandoffLevel: Exclude<RiskLevelName, 'none'>;
  slaSeconds: number;
  defaultLocale: Locale;
  flow?: FlowDefinition;
  effects?: Record<string, EffectHandler>;
  /** Called after commit when new outbound messages are pending (wakes the outbox). */
  onOutbound?: (conversationId: string) => void;
  /** Called after every turn (metrics). */
  onTurn?: (channel: string, status: TurnResult['status'] | 'error', seconds: number) => void;
  clock?: () => Date;
}

export interface TurnResult {
  status: 'handled' | 'duplicate' | 'forwarded';
  conversationId: string;
  messageId?: string;
  outboundIds: string[];
  risk: RiskAssessment;
  handoffId?: string;
}

const inboundSchema = z.object({
  channel: z.string().min(1).max(32),
  externalUserId: z.string().min(1).max(256),
  externalChatId: z.string().max(256).optional(),
  channelRef: channelRefSchema.optional(),
  externalMessageId: z.string().min(1).max(256),
  kind: z.enum(['text', 'choice', 'location', 'attachment', 'command']),
  payload: z.object({
    text: z.string().max(10_000).optional(),
    choiceId: z.string().max(128).optional(),
    command: z.string().max(64).optional(),
    commandArgs: z.string().max(256).optional(),
    location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).optional(),
    attachmentType: z.string().max(64).optional(),
  }),
  localeHint: z.string().max(35).optional(),
  replyHandle: z.object({ value: z.string().max(512), expiresAt: z.string() }).optional(),
});

type ConversationRow = Awaited<ReturnType<Tx['conversation']['findUniqueOrThrow']>>;

/** Everything one turn (or one counsellor hand-back) works on, until it is saved. */
interface Turn {
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
  handoffId?: string;
  erase: boolean;
  /** The inbound message held a secret: its stored text is masked at the end of the turn. */
  maskInbound?: boolean;
  ctx: TurnContext;
}

/** A duplicate whose turn had opened a new person or conversation: rolled back, so nothing half stored remains. */
class DuplicateInNewConversation extends Error {}

/** Recorded when a person cancels their own request while waiting. */
export const CANCELLED_BY_USER = 'cancelled_by_user';

export class Runtime {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;
  private readonly flow: FlowDefinition;

  constructor(private readonly options: RuntimeOptions) {
    this.flow = options.flow ?? DEFAULT_FLOW;
  }

  /** Processes one inbound message. Safe to call concurrently and to repeat (retried webhooks). */
  handleTurn(inbound: InboundMessage): Promise<TurnResult> {
    if (this.closing) return Promise.reject(new AppError('SHUTTING_DOWN', 'the service is shutting down', 503));
    const parsed = inboundSchema.safeParse(inbound);
    if (!parsed.success) {
      return Promise.reject(new AppError('BAD_INPUT', `invalid inbound message: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`, 400));
    }
    const started = performance.now();
    const work = this.runWithRetry(parsed.data as InboundMessage).then(
      (result) => {
        this.options.onTurn?.(inbound.channel, result.status, (performance.now() - started) / 1000);
        return result;
      },
      (err: unknown) => {
        this.options.onTurn?.(inbound.channel, 'error', (performance.now() - started) / 1000);
        throw err;
      },
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => {});
    return work;
  }

  /** Stops taking new turns and waits for the ones in flight (graceful shutdown). */
  async drain(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private async runWithRetry(inbound: InboundMessage): Promise<TurnResult> {
    const events: BusEvent[] = [];
    const result = await pRetry(
      async () => {
        events.length = 0;
        try {
          return await this.options.db.$transaction((tx) => this.turn(tx, inbound, events), TURN_TX_OPTIONS);
        } catch (err) {
          if (!(err instanceof DuplicateInNewConversation)) throw err;
          const first = await this.options.db.message.findUnique({ where: { channel_channelMessageId: { channel: inbound.channel, channelMessageId: inbound.externalMessageId } }, select: { conversationId: true } });
          events.length = 0;
          return { status: 'duplicate' as const, conversationId: first?.conversationId ?? '', outboundIds: [], risk: NO_RISK };
        }
      },
      {
        retries: 8,
        minTimeout: 5,
        maxTimeout: 200,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof CasConflictError,
      },
    );
    for (const event of events) this.options.bus.publish(event);
    if (result.outboundIds.length) this.options.onOutbound?.(result.conversationId);
    return result;
  }

  private async turn(tx: Tx, inbound: InboundMessage, events: BusEvent[]): Promise<TurnResult> {
    const now = this.now();
    const { conversation, identityId, created } = await this.openConversation(tx, inbound, now);

    const [stored] = await tx.message.createManyAndReturn({
      data: [
        {
          conversationId: conversation.id,
          channel: inbound.channel,
          direction: 'inbound',
          author: 'user',
          kind: inbound.kind,
          text: inbound.payload.text ?? null,
          payload: inboundPayloadForStorage(inbound),
          channelMessageId: inbound.externalMessageId,
          status: 'received',
          createdAt: now,
        },
      ],
      skipDuplicates: true,
      select: { id: true },
    });
    if (!stored) {
      // The id was stored before under another person or conversation (ids are unique only in their scope):
      // undo the conversation this turn opened rather than leave it empty.
      if (created) throw new DuplicateInNewConversation();
      return { status: 'duplicate', conversationId: conversation.id, outboundIds: [], risk: NO_RISK };
    }

    const turn = this.openTurn(tx, conversation, { identityId, now, events, inbound });
    const text = inbound.payload.text ?? '';
    turn.where = mergeWhereabouts(turn.where, text ? whereaboutsFromText(text) : undefined);

    // The words of a button the bot offered are a button press ("Ép kết hôn, bán làm vợ"), not a risk message.
    const offered = (conversation.offeredChoices as OutboundChoice[] | null) ?? [];
    const typedChoice = inbound.kind === 'text' && !!text && offered.some((c) => fold(c.label) === fold(text));
    const assessed = text && !typedChoice ? this.options.detector.assess(text, turn.locale) : NO_RISK;
    const risk = await withRiskMemory(tx, { conversationId: conversation.id, memory: turn.memory, assessed, now });
    if (risk.level !== 'none' && risk.source !== 'memory') await this.recordRisk(turn, stored.id, risk);
    turn.memory = nextMemory(turn.memory, risk.level, now);
    events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: stored.id, direction: 'inbound' });

    const event = () => toFlowEvent(inbound, conversation.offeredChoices as OutboundChoice[] | null, turn.locale);
    const escalates = risk.level !== 'none' && riskRank(risk.level) >= riskRank(this.options.riskHandoffLevel);

    if (conversation.status === 'counsellor') {
      // A human owns the chat: store, raise priority, forward; the bot stays quiet.
      if (risk.level !== 'none') await this.raiseWaiting(turn, risk.level, risk.categories);
      await this.casUpdate(tx, conversation.id, conversation.version, { lastActivityAt: now, ...this.memoryFields(turn) });
      return { status: 'forwarded', conversationId: conversation.id, messageId: stored.id, outboundIds: [], risk, ...(turn.handoffId ? { handoffId: turn.handoffId } : {}) };
    }

    if (conversation.status === 'queued') {
      // Waiting for a counsellor: the message reaches them (stored and published); the waiting room answers.
      const raised = risk.level !== 'none' ? await this.raiseWaiting(turn, risk.level, risk.categories) : undefined;
      if (raised?.toEmergency) {
        await this.guide(turn, { confined: risk.categories.includes('confinement') });
        await this.runWaiting(turn, [{ type: 'QUEUED', emergency: true, whereKnown: !!turn.where, interrupted: !atRest(storedValue(turn.mainSnapshot)), reportInProgress: reportInProgress(turn.mainSnapshot) }]);
      } else if (waitingHandsToAssistant(storedValue(turn.waitSnapshot))) {
        await this.runMain(turn, () => [event()]);
      } else {
        await this.runWaiting(turn, [event()]);
      }
    } else if (escalates) {
      // Escalate at once; the flow is paused where it was (a report draft stays in the snapshot).
      await this.escalate(turn, { level: risk.level, reason: 'risk', categories: risk.categories });
    } else {
      const flowEvent = event();
      const afterSurvey = await answerSurvey(turn.ctx, flowEvent, storedValue(turn.mainSnapshot));
      await this.runMain(turn, (session) => afterSurvey ?? (!session.fresh || startsFreshConversation(flowEvent) ? [flowEvent] : null), stored.id);
    }

    if (turn.maskInbound && text) await tx.message.update({ where: { id: stored.id }, data: { text: maskSecrets(text, [text.trim()]) } });
    let conversationId = conversation.id;
    if (turn.erase) {
      conversationId = await this.eraseConversation(tx, conversation.id, identityId, inbound, turn.locale, now);
      turn.outbound.length = 0;
      turn.ctx.say({ key: 'privacy.deleted' });
    } else {
      await this.saveFlowState(turn);
    }

    const outboundIds = await enqueueOutbound(tx, { conversationId, channel: inbound.channel, messages: turn.outbound, now, ...(inbound.replyHandle ? { replyHandle: inbound.replyHandle } : {}) });
    for (const id of outboundIds) events.push({ type: 'conversation.message', conversationId, messageId: id, direction: 'outbound' });
    const status = conversation.status === 'queued' ? 'forwarded' : 'handled';
    return { status, conversationId, messageId: stored.id, outboundIds, risk, ...(turn.handoffId ? { handoffId: turn.handoffId } : {}) };
  }

  // ------------------------------------------------------------------ one turn's state and steps

  private openTurn(tx: Tx, conversation: ConversationRow, opts: { identityId: string; now: Date; events: BusEvent[]; inbound?: InboundMessage }): Turn {
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
      erase: false,
      ctx: undefined as unknown as TurnContext,
    };
    turn.ctx = this.turnContext(tx, conversation.id, conversation.channel, opts.now, () => turn.locale, (l) => (turn.locale = l), outbound, () => (turn.maskInbound = true));
    turn.ctx.publish = (event) => turn.events.push(event);
    return turn;
  }

  private async recordRisk(turn: Turn, messageId: string, risk: TurnRisk): Promise<void> {
    const scores = (risk as { modelScores?: unknown }).modelScores;
    await turn.tx.riskEvent.create({
      data: {
        conversationId: turn.conversation.id,
        messageId,
        level: risk.level,
        categories: risk.categories,
        matches: risk.matches.map((m) => ({ id: m.id, category: m.category, level: m.level, start: m.start, end: m.end })),
        source: risk.source,
        ...(scores ? { modelScores: scores as object } : {}),
        createdAt: turn.now,
      },
    });
  }

  /** Raises the open handoff's priority and level when this message is riskier; says whether it just became an emergency. */
  private async raiseWaiting(turn: Turn, level: RiskLevelName, categories: string[]): Promise<{ toEmergency: boolean } | undefined> {
    const open = await turn.tx.handoff.findFirst({ where: { conversationId: turn.conversation.id, state: { in: ['waiting', 'claimed'] } }, select: { level: true, priority: true } });
    if (!open) return undefined;
    const queued = await enqueueHandoff(turn.tx, { conversationId: turn.conversation.id, level, categories, reason: 'risk', slaSeconds: this.options.slaSeconds, now: turn.now });
    turn.handoffId = queued.handoffId;
    if (queued.raised || riskRank(level) > riskRank(open.level)) turn.events.push({ type: 'handoff.updated', handoffId: queued.handoffId, conversationId: turn.conversation.id });
    return { toEmergency: level === 'emergency' && open.level !== 'emergency' && open.priority < 3 };
  }

  /** The acknowledgement, the numbers for where the person is, and advice when they may be held. */
  private async guide(turn: Turn, opts: { confined: boolean }): Promise<void> {
    for (const message of emergencyGuidance(turn.locale, turn.where, opts)) turn.ctx.send(message);
  }

  /**
   * Puts the chat in the counsellor queue (or raises the waiting one) and greets the person in the
   * waiting room: emergency guidance first when it is one, their place and the usual wait, whether
   * what they started is kept, then the waiting room's questions and buttons.
   */
  private async escalate(turn: Turn, input: { level: RiskLevelName; reason: HandoffReason; categories: string[]; details?: Record<string, unknown> }): Promise<void> {
    const { tx, now } = turn;
    const alreadyQueued = turn.status === 'queued';
    const queued = await enqueueHandoff(tx, { conversationId: turn.conversation.id, level: input.level, categories: input.categories, reason: input.reason, slaSeconds: this.options.slaSeconds, now, ...(input.details ? { details: input.details } : {}) });
    turn.handoffId = queued.handoffId;
    turn.status = 'queued';
    turn.events.push({ type: queued.created ? 'handoff.created' : 'handoff.updated', handoffId: queued.handoffId, conversationId: turn.conversation.id, priority: queued.priority } as BusEvent);
    const emergency = input.level === 'emergency' || input.reason === 'in_danger';
    if (alreadyQueued && !queued.created) {
      // Asked again while using the assistant in the queue: back to the waiting room, place kept.
      if (emergency && queued.raised) await this.guide(turn, { confined: input.categories.includes('confinement') });
      await this.runWaiting(turn, emergency && queued.raised ? [{ type: 'QUEUED', emergency: true, whereKnown: !!turn.where, interrupted: !atRest(storedValue(turn.mainSnapshot)), reportInProgress: reportInProgress(turn.mainSnapshot) }] : [{ type: 'WAIT' }]);
      return;
    }
    if (emergency) await this.guide(turn, { confined: input.categories.includes('confinement') });
    const position = await queuePosition(tx, queued.handoffId);
    await tx.handoff.update({ where: { id: queued.handoffId }, data: { notifiedPosition: position, positionNotifiedAt: now } });
    const minutes = await typicalWaitMinutes(tx, now);
    turn.ctx.say(minutes ? { key: 'queue:positionWithWait', params: { position, minutes } } : { key: 'queue:position', params: { position } });
    const interrupted = !atRest(storedValue(turn.mainSnapshot));
    if (interrupted) turn.ctx.say({ key: 'queue:kept' });
    turn.waitSnapshot = null; // a fresh wait
    await this.runWaiting(turn, [{ type: 'QUEUED', emergency, whereKnown: !!turn.where, interrupted, reportInProgress: reportInProgress(turn.mainSnapshot) }]);
  }

  /** Steps the main conversation flow with the events `pick` gives (see stepFlow). */
  private async runMain(turn: Turn, pick: (session: FlowSession) => FlowEvent[] | null, messageId?: string): Promise<void> {
    const stored: StoredFlow = { machineId: turn.conversation.machineId, machineVersion: turn.conversation.machineVersion, snapshot: turn.mainSnapshot };
    const result = await stepFlow(
      this.flow,
      turn.mainSnapshot === null ? null : stored,
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
              await this.recordRisk(turn, messageId, { ...NO_RISK, level: 'emergency', categories: ['immediate_danger'], source: 'flow', assessedLevel: 'none' });
              turn.memory = nextMemory(turn.memory, 'emergency', turn.now);
            }
            await this.escalate(turn, {
              level: output.reason === 'in_danger' ? 'emergency' : 'none',
              reason: output.reason,
              categories: output.categories ?? [],
              ...((output as { details?: Record<string, unknown> }).details ? { details: (output as { details?: Record<string, unknown> }).details } : {}),
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
  private async runWaiting(turn: Turn, events: FlowEvent[]): Promise<void> {
    const stored: StoredFlow | null = turn.waitSnapshot ? { machineId: WAITING_FLOW.id, machineVersion: WAITING_FLOW.version, snapshot: turn.waitSnapshot } : null;
    const after: (() => Promise<void>)[] = [];
    const result = await stepFlow(
      WAITING_FLOW,
      stored,
      (session) => (session.fresh && events[0]?.type !== 'QUEUED' ? [{ type: 'QUEUED', emergency: false, whereKnown: !!turn.where, interrupted: false, reportInProgress: false }, ...events] : events),
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

  private memoryFields(turn: Turn) {
    return {
      riskLevel: turn.memory.riskLevel,
      riskAt: turn.memory.riskAt,
      whereabouts: turn.where ? encodeWhereabouts(turn.where) : null,
    };
  }

  /**
   * A counsellor's message to the user: only the counsellor who holds the chat may write. It goes out
   * through the user's own channel via the outbox.
   */
  async sendCounsellorReply(input: { conversationId: string; counsellorId: string; text: string; sender?: string }): Promise<{ messageId: string }> {
    const text = input.text.trim();
    if (!text || text.length > 4000) throw new AppError('BAD_INPUT', 'a reply needs 1 to 4000 characters', 400);
    const events: BusEvent[] = [];
    const messageId = await this.options.db.$transaction(async (tx) => {
      const now = this.now();
      const handoff = await tx.handoff.findFirst({ where: { conversationId: input.conversationId, state: { in: ['waiting', 'claimed'] } } });
      if (!handoff) throw new AppError('HANDOFF_NOT_FOUND', 'this chat is not with a counsellor', 404);
      if (handoff.state !== 'claimed' || handoff.counsellorId !== input.counsellorId) {
        throw new AppError('HANDOFF_NOT_OWNER', 'claim the chat before replying', 403);
      }
      const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: input.conversationId } });
      const [id] = await enqueueOutbound(tx, { conversationId: conversation.id, channel: conversation.channel, messages: [{ text, author: 'counsellor', ...(input.sender ? { sender: input.sender } : {}) }], now });
      await tx.conversation.update({ where: { id: conversation.id }, data: { lastActivityAt: now } });
      events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: id!, direction: 'outbound' });
      return id!;
    }, TURN_TX_OPTIONS);
    for (const event of events) this.options.bus.publish(event);
    this.options.onOutbound?.(input.conversationId);
    return { messageId };
  }

  /**
   * Ends a counsellor's part of a chat: closes the handoff (with its outcome, or `handed_back`) and
   * gives the chat back to the bot, which resumes the flow where the user was (a RESUME event), all
   * in one transaction. Only the holder may do it, unless `asSupervisor`.
   */
  async returnToBot(input: {
    handoffId: string;
    actorId: string;
    asSupervisor?: boolean;
    outcome: string;
    summary?: string;
    reportId?: string;
    /** At close: the wrap-up, and whether to ask the survey (core/queue/wrap-up.ts). */
    wrapUp?: WrapUp;
    survey?: boolean;
  }): Promise<{ conversationId: string; outboundIds: string[] }> {
    if (input.outcome !== HANDED_BACK && !isCloseOutcome(input.outcome)) {
      throw new AppError('BAD_OUTCOME', `outcome must be one of ${CLOSE_OUTCOMES.join(', ')}`, 400);
    }
    if (input.summary && input.summary.length > 4000) throw new AppError('BAD_INPUT', 'the summary is limited to 4000 characters', 400);
    const events: BusEvent[] = [];
    const result = await pRetry(
      () => {
        events.length = 0;
        return this.options.db.$transaction((tx) => this.returnToBotTx(tx, input, events), TURN_TX_OPTIONS);
      },
      { retries: 8, minTimeout: 5, maxTimeout: 200, randomize: true, shouldRetry: ({ error }) => error instanceof CasConflictError },
    );
    for (const event of events) this.options.bus.publish(event);
    if (result.outboundIds.length) this.options.onOutbound?.(result.conversationId);
    return result;
  }

  private async returnToBotTx(
    tx: Tx,
    input: Parameters<Runtime['returnToBot']>[0],
    events: BusEvent[],
  ): Promise<{ conversationId: string; outboundIds: string[] }> {
    const now = this.now();
    const found = await tx.handoff.findUnique({ where: { id: input.handoffId }, select: { conversationId: true } });
    if (!found) throw new AppError('HANDOFF_NOT_FOUND', 'no such chat in the queue', 404);
    const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: found.conversationId } });
    // Same lock order as a turn (identity, then handoff): no deadlock with the user's next message.
    await tx.$queryRaw`SELECT id FROM "ChannelIdentity" WHERE id = ${conversation.identityId}::uuid FOR UPDATE`;
    const handoff = await tx.handoff.findUniqueOrThrow({ where: { id: input.handoffId } });
    if (handoff.state === 'closed') throw new AppError('HANDOFF_CLOSED', 'this chat was already closed', 409);
    const holder = handoff.state === 'claimed' && handoff.counsellorId === input.actorId;
    if (!holder && !input.asSupervisor) throw new AppError('HANDOFF_NOT_OWNER', 'only the counsellor holding this chat can do that', 403);
    let reportId: string | null = null;
    if (input.reportId) {
      const report = await tx.report.findFirst({
        where: /^[0-9a-f-]{36}$/i.test(input.reportId) ? { id: input.reportId } : { referenceCode: input.reportId.trim().toUpperCase() },
        select: { id: true },
      });
      if (!report) throw new AppError('REPORT_NOT_FOUND', 'no report with that reference', 400);
      reportId = report.id;
    }
    await tx.handoff.update({
      where: { id: handoff.id },
      data: { state: 'closed', closedAt: now, outcome: input.outcome, summary: input.summary?.trim() || null, reportId },
    });

    const turn = this.openTurn(tx, conversation, { identityId: conversation.identityId, now, events });
    turn.status = 'bot';
    turn.waitSnapshot = null;
    const closing = input.outcome !== HANDED_BACK ? await closeWithWrapUp(tx, { handoffId: handoff.id, counsellorId: handoff.counsellorId, categories: handoff.categories, locale: turn.locale, where: turn.where, now, ...(input.wrapUp ? { wrapUp: input.wrapUp } : {}), ...(input.survey !== undefined ? { survey: input.survey } : {}) }) : undefined;
    if (closing) closing.messages.forEach((m) => turn.ctx.send(m));
    else turn.ctx.say({ key: 'queue:returnedToBot' });
    // After the survey question the assistant waits for its answer (answerSurvey) before carrying on.
    if (!closing?.surveyAsked) await this.runMain(turn, (session) => (session.fresh ? null : [{ type: 'RESUME' }]));
    await this.saveFlowState(turn);
    const outboundIds = await enqueueOutbound(tx, { conversationId: conversation.id, channel: conversation.channel, messages: turn.outbound, now });
    events.push({ type: 'handoff.updated', handoffId: handoff.id, conversationId: conversation.id });
    for (const id of outboundIds) events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: id, direction: 'outbound' });
    return { conversationId: conversation.id, outboundIds };
  }

  private turnContext(
    tx: Tx,
    conversationId: string,
    channel: string,
    now: Date,
    getLocale: () => Locale,
    setLocale: (locale: Locale) => void,
    outbound: OutboundMessage[],
    onMaskInbound?: () => void,
  ): TurnContext {
    return {
      tx,
      conversationId,
      channel,
      now,
      get locale() {
        return getLocale();
      },
      set locale(value: Locale) {
        setLocale(value);
      },
      send: (message) => outbound.push(message),
      say: (reply) => outbound.push(renderReply(getLocale(), { type: 'reply', ...reply })),
      maskInbound: () => onMaskInbound?.(),
    };
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private async openConversation(tx: Tx, inbound: InboundMessage, now: Date) {
    const userHash = pseudonymFor(this.options.pseudonymKey, inbound.channel, inbound.externalUserId);
    const identity = await tx.channelIdentity.upsert({
      where: { channel_userHash: { channel: inbound.channel, userHash } },
      create: { channel: inbound.channel, userHash, externalUserId: inbound.externalUserId },
      update: {},
      select: { id: true },
    });
    // One turn per person at a time: later turns wait here, then see the first one's result.
    await tx.$queryRaw`SELECT id FROM "ChannelIdentity" WHERE id = ${identity.id}::uuid FOR UPDATE`;
    const open = await tx.conversation.findFirst({
      where: { identityId: identity.id, status: { not: 'closed' } },
      orderBy: { createdAt: 'desc' },
    });
    if (open) {
      const channelRef = channelRefUpdate(open.channelRef, inbound.channelRef);
      if ((inbound.externalChatId && open.externalChatId !== inbound.externalChatId) || channelRef) {
        await tx.conversation.update({ where: { id: open.id }, data: { ...(inbound.externalChatId ? { externalChatId: inbound.externalChatId } : {}), ...(channelRef ? { channelRef } : {}) } });
      }
      return { conversation: open, identityId: identity.id, created: false };
    }
    const conversation = await tx.conversation.create({
      data: {
        identityId: identity.id,
        channel: inbound.channel,
        externalChatId: inbound.externalChatId ?? null,
        channelRef: inbound.channelRef ? sealChannelRef(inbound.channelRef) : null,
        locale: toLocale(inbound.localeHint) ?? this.options.defaultLocale,
        machineId: this.flow.id,
        machineVersion: this.flow.version,
        createdAt: now,
        lastActivityAt: now,
      },
    });
    return { conversation, identityId: identity.id, created: true };
  }

  /** Saves the flows' new snapshots, language, status, risk memory and the choices the bot just offered (compare-and-swap). */
  private async saveFlowState(turn: Turn): Promise<void> {
    const lastBot = [...turn.outbound].reverse().find((m) => m.author === 'bot');
    await this.casUpdate(turn.tx, turn.conversation.id, turn.conversation.version, {
      snapshot: (turn.mainSnapshot ?? Prisma.DbNull) as object,
      waitSnapshot: turn.status === 'queued' && turn.waitSnapshot ? (turn.waitSnapshot as object) : Prisma.DbNull,
      machineId: this.flow.id,
      machineVersion: this.flow.version,
      locale: turn.locale,
      status: turn.status,
      lastActivityAt: turn.now,
      ...this.memoryFields(turn),
      ...(lastBot ? { offeredChoices: (lastBot.choices ?? []) as unknown as object } : {}),
    });
  }

  /** Writes the conversation only if nobody else did since we read it; otherwise the whole turn is retried. */
  private async casUpdate(tx: Tx, id: string, expectedVersion: number, data: Prisma.ConversationUpdateManyMutationInput) {
    const { count } = await tx.conversation.updateMany({
      where: { id, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    if (count !== 1) throw new CasConflictError();
  }

  private async eraseConversation(tx: Tx, conversationId: string, identityId: string, inbound: InboundMessage, locale: Locale, now: Date): Promise<string> {
    const erased = await tx.conversation.delete({ where: { id: conversationId }, select: { externalChatId: true, channelRef: true } });
    // Codes that would reopen this chat (web chat resume codes) go with it.
    if (erased.externalChatId) await tx.resumeCode.deleteMany({ where: { conversationId: erased.externalChatId } });
    const fresh = await tx.conversation.create({
      data: {
        identityId,
        channel: inbound.channel,
        externalChatId: inbound.externalChatId ?? null,
        // The reply address survives the erasure (the user must still get "deleted"), nothing else.
        channelRef: inbound.channelRef ? sealChannelRef(inbound.channelRef) : erased.channelRef,
        locale,
        machineId: this.flow.id,
        machineVersion: this.flow.version,
        createdAt: now,
        lastActivityAt: now,
      },
    });
    return fresh.id;
  }
}

/** On first contact the welcome is the answer; only a choice, a global intent or a START with a known language is also applied. */
function startsFreshConversation(event: FlowEvent): boolean {
  if (event.type === 'START') return Boolean(event.locale);
  return !['TEXT', 'ATTACHMENT', 'LOCATION'].includes(event.type);
}

function inboundPayloadForStorage(inbound: InboundMessage): object {
  const { payload } = inbound;
  return {
    ...(payload.choiceId ? { choiceId: payload.choiceId } : {}),
    ...(payload.command ? { command: payload.command } : {}),
    ...(payload.location ? { location: payload.location } : {}),
    ...(payload.attachmentType ? { attachmentType: payload.attachmentType } : {}),
  };
}
