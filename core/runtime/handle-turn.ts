/**
 * handleTurn: one inbound message, end to end (see ../shared/design.md). The risk check runs before
 * any database work; then one transaction of four round trips for an ordinary message:
 * BEGIN → open (person, conversation, inbound message, risk memory: turn-store.ts) → the turn's
 * steps (counsellor gate, waiting room, escalation, flow: turn-steps.ts) → save (compare-and-swap,
 * risk events, replies pending for the outbox: turn-store.ts) → COMMIT. An escalation adds one
 * statement (the handoff, its place and the usual wait: queue/handoffs.ts enqueueAndPlace); effects
 * (reports, searches) add their own.
 */
import pRetry from 'p-retry';
import { z } from 'zod';
import type { FlowDefinition, FlowEvent, Locale } from '../../flows/types.js';
import { DEFAULT_FLOW } from '../../flows/index.js';
import { waitingHandsToAssistant } from '../../flows/waiting/machine.js';
import type { Db } from '../db/client.js';
import { TURN_TX_OPTIONS, type Tx } from '../db/tx.js';
import { AppError, CasConflictError } from '../errors.js';
import type { EventBus, BusEvent } from '../events/bus.js';
import { toLocale } from '../i18n/index.js';
import type { InboundMessage, OutboundChoice } from '../messages/types.js';
import { pseudonymFor } from '../privacy/pseudonym.js';
import { channelRefSchema, channelRefUpdate, sealChannelRef } from '../privacy/channel-ref.js';
import type { DataKeyring } from '../privacy/field-crypto.js';
import { CLOSE_OUTCOMES, HANDED_BACK, isCloseOutcome } from '../queue/outcomes.js';
import { answerSurvey, closeWithWrapUp, type WrapUp } from '../queue/wrap-up.js';
import { NO_RISK, riskRank, type RiskAssessment, type RiskDetector, type RiskLevelName } from '../risk/types.js';
import { atRest, reportInProgress, storedHasTag, storedValue } from './flow-step.js';
import { ANSWERS_TEXT } from '../../flows/kit.js';
import { ACCUMULATE_WINDOW_MS, nextMemory, withRiskMemory } from './risk-memory.js';
import { whereaboutsFromText, mergeWhereabouts } from '../safety/whereabouts.js';
import { enqueueOutbound } from '../outbox/enqueue.js';
import { toFlowEvent } from './intents.js';
import { fold } from '../../text/fold.js';
import type { EffectHandler } from './turn-context.js';
import { openTurnRows, saveTurn } from './turn-store.js';
import { CANCELLED_BY_USER, TurnSteps, type Turn } from './turn-steps.js';

export { CANCELLED_BY_USER };

export interface RuntimeOptions {
  db: Db;
  pseudonymKey: Buffer;
  /** Seals what people say in the turn's raw SQL (the database client does it elsewhere). */
  dataKeys: DataKeyring;
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

/** A duplicate whose turn had opened a new person or conversation: rolled back, so nothing half stored remains. */
class DuplicateInNewConversation extends Error {}

/** Errors after which a turn is retried: a lost compare-and-swap, or two first contacts of one person at once. */
function retryable(error: unknown): boolean {
  if (error instanceof CasConflictError) return true;
  const text = String((error as { message?: unknown })?.message ?? '');
  return /23505|unique constraint|40001|40P01|deadlock/i.test(text);
}

export class Runtime {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;
  private readonly flow: FlowDefinition;
  private readonly steps: TurnSteps;

  constructor(private readonly options: RuntimeOptions) {
    this.flow = options.flow ?? DEFAULT_FLOW;
    this.steps = new TurnSteps({ flow: this.flow, slaSeconds: options.slaSeconds, defaultLocale: options.defaultLocale, ...(options.effects ? { effects: options.effects } : {}) });
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
    // The risk check needs no database: it runs before a connection is taken.
    const text = inbound.payload.text ?? '';
    const assessed = text ? this.options.detector.assess(text, toLocale(inbound.localeHint) ?? this.options.defaultLocale) : NO_RISK;
    const result = await pRetry(
      async () => {
        events.length = 0;
        try {
          return await this.options.db.$transaction((tx) => this.turn(tx, inbound, assessed, events), TURN_TX_OPTIONS);
        } catch (err) {
          if (!(err instanceof DuplicateInNewConversation)) throw err;
          const first = await this.options.db.message.findUnique({ where: { channel_channelMessageId: { channel: inbound.channel, channelMessageId: inbound.externalMessageId } }, select: { conversationId: true } });
          events.length = 0;
          return { status: 'duplicate' as const, conversationId: first?.conversationId ?? '', outboundIds: [], risk: NO_RISK };
        }
      },
      { retries: 8, minTimeout: 5, maxTimeout: 200, randomize: true, shouldRetry: ({ error }) => retryable(error) },
    );
    for (const event of events) this.options.bus.publish(event);
    if (result.outboundIds.length) this.options.onOutbound?.(result.conversationId);
    return result;
  }

  private async turn(tx: Tx, inbound: InboundMessage, assessedText: RiskAssessment, events: BusEvent[]): Promise<TurnResult> {
    const now = this.now();
    const text = inbound.payload.text ?? '';
    const opened = await openTurnRows(tx, this.options.dataKeys, {
      channel: inbound.channel,
      userHash: pseudonymFor(this.options.pseudonymKey, inbound.channel, inbound.externalUserId),
      externalUserId: inbound.externalUserId,
      externalChatId: inbound.externalChatId ?? null,
      channelRef: inbound.channelRef ? sealChannelRef(inbound.channelRef) : null,
      externalMessageId: inbound.externalMessageId,
      kind: inbound.kind,
      text: inbound.payload.text ?? null,
      payload: inboundPayloadForStorage(inbound),
      locale: toLocale(inbound.localeHint) ?? this.options.defaultLocale,
      machineId: this.flow.id,
      machineVersion: this.flow.version,
      now,
      accumulateSince: new Date(now.getTime() - ACCUMULATE_WINDOW_MS),
    });
    const { conversation, identityId } = opened;
    if (!opened.messageId) {
      // The id was stored before under another person or conversation (ids are unique only in their scope):
      // undo the conversation this turn opened rather than leave it empty.
      if (opened.created) throw new DuplicateInNewConversation();
      return { status: 'duplicate', conversationId: conversation.id, outboundIds: [], risk: NO_RISK };
    }
    const messageId = opened.messageId;

    const turn = this.steps.openTurn(tx, conversation, { identityId, now, events });
    turn.where = mergeWhereabouts(turn.where, text ? whereaboutsFromText(text) : undefined);

    // The words of a button the bot offered are a button press ("Ép kết hôn, bán làm vợ"), not a risk message.
    const offered = (conversation.offeredChoices as OutboundChoice[] | null) ?? [];
    const typedChoice = inbound.kind === 'text' && !!text && offered.some((c) => fold(c.label) === fold(text));
    const risk = withRiskMemory({ memory: turn.memory, assessed: typedChoice ? NO_RISK : assessedText, now, recentElevated: opened.recentElevated });
    if (risk.level !== 'none' && risk.source !== 'memory') this.steps.recordRisk(turn, messageId, risk);
    turn.memory = nextMemory(turn.memory, risk.level, now);
    events.push({ type: 'conversation.message', conversationId: conversation.id, messageId, direction: 'inbound' });

    const event = () => toFlowEvent(inbound, conversation.offeredChoices as OutboundChoice[] | null, turn.locale);
    const escalates = risk.level !== 'none' && riskRank(risk.level) >= riskRank(this.options.riskHandoffLevel);

    if (conversation.status === 'counsellor') {
      // A human owns the chat: store, raise priority, forward; the bot stays quiet.
      if (risk.level !== 'none' && risk.source !== 'memory') await this.steps.raiseWaiting(turn, risk.level, risk.categories);
    } else if (conversation.status === 'queued') {
      // Waiting for a counsellor: the message reaches them (stored and published); the waiting room answers.
      // What the person says raises the waiting chat's priority (memory alone never does: it added nothing new).
      const raised = risk.level !== 'none' && risk.source !== 'memory' ? await this.steps.raiseWaiting(turn, risk.level, risk.categories) : undefined;
      if (raised?.toEmergency) {
        this.steps.guide(turn, { confined: risk.categories.includes('confinement') });
        await this.steps.runWaiting(turn, [{ type: 'QUEUED', emergency: true, whereKnown: !!turn.where, interrupted: !atRest(storedValue(turn.mainSnapshot)), reportInProgress: reportInProgress(turn.mainSnapshot) }]);
      } else if (waitingHandsToAssistant(storedValue(turn.waitSnapshot))) {
        await this.steps.runMain(turn, () => [event()], messageId);
      } else {
        await this.steps.runWaiting(turn, [event()]);
      }
    } else if (escalates) {
      const stored = { machineId: conversation.machineId, machineVersion: conversation.machineVersion, snapshot: turn.mainSnapshot };
      if (inbound.kind === 'text' && storedHasTag(this.flow, stored, ANSWERS_TEXT)) {
        // Words that show danger given as the answer to a question (a report's details, say): the
        // answer is kept (the report goes on, or is saved with its codes) and a counsellor comes.
        await this.steps.runMain(turn, () => [event()], messageId);
        const answered = turn.outbound.splice(0);
        await this.steps.escalate(turn, { level: risk.level, reason: 'risk', categories: risk.categories, afterGuidance: answered });
      } else {
        // Escalate at once; the flow is paused where it was (a report draft stays in the snapshot).
        await this.steps.escalate(turn, { level: risk.level, reason: 'risk', categories: risk.categories });
      }
    } else {
      const flowEvent = event();
      const afterSurvey = await answerSurvey(turn.ctx, flowEvent, storedValue(turn.mainSnapshot));
      await this.steps.runMain(turn, (session) => afterSurvey ?? (!session.fresh || startsFreshConversation(flowEvent) ? [flowEvent] : null), messageId);
    }

    const status = conversation.status === 'queued' || conversation.status === 'counsellor' ? 'forwarded' : 'handled';
    const result = { conversationId: conversation.id, messageId, risk, ...(turn.handoffId ? { handoffId: turn.handoffId } : {}) };
    if (turn.erase) {
      const conversationId = await this.eraseConversation(tx, conversation.id, identityId, inbound, turn.locale, now);
      turn.outbound.length = 0;
      turn.ctx.say({ key: 'privacy.deleted' });
      const outboundIds = await enqueueOutbound(tx, { conversationId, channel: inbound.channel, messages: turn.outbound, now, ...(inbound.replyHandle ? { replyHandle: inbound.replyHandle } : {}) });
      for (const id of outboundIds) events.push({ type: 'conversation.message', conversationId, messageId: id, direction: 'outbound' });
      return { status, ...result, conversationId, outboundIds };
    }

    const channelRef = channelRefUpdate(conversation.channelRef, inbound.channelRef);
    const newChatId = inbound.externalChatId && conversation.externalChatId !== inbound.externalChatId ? inbound.externalChatId : undefined;
    const { outboundIds } = await saveTurn(tx, this.options.dataKeys, {
      conversationId: conversation.id,
      expectedVersion: conversation.version,
      conversation: this.steps.conversationFields(turn, { ...(newChatId ? { externalChatId: newChatId } : {}), ...(channelRef ? { channelRef } : {}) }),
      riskEvents: turn.riskEvents,
      ...(turn.maskInbound && text ? { mask: { messageId, text, secrets: [text.trim()] } } : {}),
      outbound: turn.outbound,
      channel: inbound.channel,
      ...(inbound.replyHandle ? { replyHandle: inbound.replyHandle } : {}),
      now,
    });
    for (const id of outboundIds) events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: id, direction: 'outbound' });
    return { status, ...result, outboundIds };
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

    const turn = this.steps.openTurn(tx, conversation, { identityId: conversation.identityId, now, events });
    turn.status = 'bot';
    turn.waitSnapshot = null;
    const closing = input.outcome !== HANDED_BACK ? await closeWithWrapUp(tx, { handoffId: handoff.id, counsellorId: handoff.counsellorId, categories: handoff.categories, locale: turn.locale, where: turn.where, now, ...(input.wrapUp ? { wrapUp: input.wrapUp } : {}), ...(input.survey !== undefined ? { survey: input.survey } : {}) }) : undefined;
    if (closing) closing.messages.forEach((m) => turn.ctx.send(m));
    else turn.ctx.say({ key: 'queue:returnedToBot' });
    // After the survey question the assistant waits for its answer (answerSurvey) before carrying on.
    if (!closing?.surveyAsked) await this.steps.runMain(turn, (session) => (session.fresh ? null : [{ type: 'RESUME' }]));
    const { outboundIds } = await saveTurn(tx, this.options.dataKeys, {
      conversationId: conversation.id,
      expectedVersion: conversation.version,
      conversation: this.steps.conversationFields(turn),
      riskEvents: turn.riskEvents,
      outbound: turn.outbound,
      channel: conversation.channel,
      now,
    });
    events.push({ type: 'handoff.updated', handoffId: handoff.id, conversationId: conversation.id });
    for (const id of outboundIds) events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: id, direction: 'outbound' });
    return { conversationId: conversation.id, outboundIds };
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
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
