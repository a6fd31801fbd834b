/**
 * handleTurn: one inbound message, end to end, in one transaction (see ../shared/design.md):
 * dedupe → risk check → counsellor gate → escalation → flow step → compare-and-swap persist →
 * outbound messages written as pending for the outbox.
 */
import pRetry from 'p-retry';
import { z } from 'zod';
import type { FlowDefinition, FlowEvent, FlowOutput, Locale } from '../../flows/types.js';
import { DEFAULT_FLOW } from '../../flows/index.js';
import type { Db } from '../db/client.js';
import { TURN_TX_OPTIONS, type Tx } from '../db/tx.js';
import { AppError, CasConflictError } from '../errors.js';
import type { EventBus, BusEvent } from '../events/bus.js';
import { toLocale } from '../i18n/index.js';
import type { InboundMessage, OutboundChoice, OutboundMessage } from '../messages/types.js';
import { pseudonymFor } from '../privacy/pseudonym.js';
import { channelRefSchema, channelRefUpdate, sealChannelRef } from '../privacy/channel-ref.js';
import { enqueueHandoff, queuePosition, type HandoffReason } from '../queue/handoffs.js';
import { CLOSE_OUTCOMES, HANDED_BACK, isCloseOutcome } from '../queue/outcomes.js';
import { NO_RISK, riskRank, type RiskAssessment, type RiskDetector, type RiskLevelName } from '../risk/types.js';
import { openFlowSession, type FlowSession, type StoredFlow } from './flow-session.js';
import { enqueueOutbound } from '../outbox/enqueue.js';
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

const MAX_EFFECT_ROUNDS = 8;

/** A duplicate whose turn had opened a new person or conversation: rolled back, so nothing half stored remains. */
class DuplicateInNewConversation extends Error {}

interface FlowActions {
  handoff(reason: HandoffReason, categories: string[]): Promise<void>;
  erase(): void;
}

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

    let locale = (toLocale(conversation.locale) ?? this.options.defaultLocale) as Locale;
    // The words of a button the bot offered are a button press ("Ép kết hôn, bán làm vợ"), not a risk message.
    const offered = (conversation.offeredChoices as OutboundChoice[] | null) ?? [];
    const typedChoice = inbound.kind === 'text' && !!inbound.payload.text && offered.some((c) => fold(c.label) === fold(inbound.payload.text!));
    const riskText = typedChoice ? '' : [inbound.payload.text].filter(Boolean).join(' ');
    const risk: RiskAssessment = riskText ? this.options.detector.assess(riskText, locale) : NO_RISK;
    if (risk.level !== 'none') {
      await tx.riskEvent.create({
        data: {
          conversationId: conversation.id,
          messageId: stored.id,
          level: risk.level,
          categories: risk.categories,
          matches: risk.matches.map((m) => ({ id: m.id, category: m.category, level: m.level, start: m.start, end: m.end })),
          source: 'risk',
          createdAt: now,
        },
      });
    }
    events.push({ type: 'conversation.message', conversationId: conversation.id, messageId: stored.id, direction: 'inbound' });

    // Counsellor gate: a human owns the chat, or it waits for one. Store, raise priority, forward; the bot stays quiet.
    if (conversation.status === 'queued' || conversation.status === 'counsellor') {
      let handoffId: string | undefined;
      if (risk.level !== 'none') {
        const queued = await enqueueHandoff(tx, {
          conversationId: conversation.id,
          level: risk.level,
          categories: risk.categories,
          reason: 'risk',
          slaSeconds: this.options.slaSeconds,
          now,
        });
        handoffId = queued.handoffId;
        if (queued.raised) events.push({ type: 'handoff.updated', handoffId: queued.handoffId, conversationId: conversation.id });
      }
      await this.casUpdate(tx, conversation.id, conversation.version, { lastActivityAt: now });
      return { status: 'forwarded', conversationId: conversation.id, messageId: stored.id, outboundIds: [], risk, ...(handoffId ? { handoffId } : {}) };
    }

    const outbound: OutboundMessage[] = [];
    const ctx = this.turnContext(tx, conversation.id, inbound.channel, now, () => locale, (l) => (locale = l), outbound);

    let status: 'bot' | 'queued' = 'bot';
    let handoffId: string | undefined;
    const handoff = async (level: RiskLevelName, reason: HandoffReason, categories: string[]) => {
      const queued = await enqueueHandoff(tx, { conversationId: conversation.id, level, categories, reason, slaSeconds: this.options.slaSeconds, now });
      handoffId = queued.handoffId;
      status = 'queued';
      if (level === 'emergency' || reason === 'in_danger') ctx.say({ key: 'handoff.emergency', urgent: true });
      ctx.say({ key: 'handoff.queued', params: { position: await queuePosition(tx, queued.handoffId) } });
      events.push({ type: queued.created ? 'handoff.created' : 'handoff.updated', handoffId: queued.handoffId, conversationId: conversation.id, priority: queued.priority } as BusEvent);
    };

    let snapshot: unknown = conversation.snapshot;
    let erase = false;
    const actions: FlowActions = {
      handoff: (reason, categories) => handoff(reason === 'in_danger' ? 'emergency' : risk.level, reason, categories),
      erase: () => {
        erase = true;
      },
    };
    if (risk.level !== 'none' && riskRank(risk.level) >= riskRank(this.options.riskHandoffLevel)) {
      // Escalate at once; the flow is paused where it was (a report draft stays in the snapshot).
      await handoff(risk.level, 'risk', risk.categories);
    } else {
      const event = toFlowEvent(inbound, conversation.offeredChoices as OutboundChoice[] | null, locale);
      snapshot = await this.stepFlow(ctx, conversation, (session) => (!session.fresh || startsFreshConversation(event) ? event : null), actions);
    }

    let conversationId = conversation.id;
    if (erase) {
      conversationId = await this.eraseConversation(tx, conversation.id, identityId, inbound, locale, now);
      outbound.length = 0;
      ctx.say({ key: 'privacy.deleted' });
    } else {
      await this.saveFlowState(tx, conversation, { snapshot, locale, status, now, outbound });
    }

    const outboundIds = await enqueueOutbound(tx, { conversationId, channel: inbound.channel, messages: outbound, now, ...(inbound.replyHandle ? { replyHandle: inbound.replyHandle } : {}) });
    for (const id of outboundIds) events.push({ type: 'conversation.message', conversationId, messageId: id, direction: 'outbound' });
    return { status: 'handled', conversationId, messageId: stored.id, outboundIds, risk, ...(handoffId ? { handoffId } : {}) };
  }

  /**
   * A counsellor's message to the user: only the counsellor who holds the chat may write. It goes out
   * through the user's own channel via the outbox.
   */
  async sendCounsellorReply(input: { conversationId: string; counsellorId: string; text: string }): Promise<{ messageId: string }> {
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
      const [id] = await enqueueOutbound(tx, { conversationId: conversation.id, channel: conversation.channel, messages: [{ text, author: 'counsellor' }], now });
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

    let locale = (toLocale(conversation.locale) ?? this.options.defaultLocale) as Locale;
    const outbound: OutboundMessage[] = [];
    const ctx = this.turnContext(tx, conversation.id, conversation.channel, now, () => locale, (l) => (locale = l), outbound);
    if (input.outcome !== HANDED_BACK) ctx.say({ key: 'handoff.closed' });
    let status: 'bot' | 'queued' = 'bot';
    const actions: FlowActions = {
      handoff: async (reason, categories) => {
        const queued = await enqueueHandoff(tx, { conversationId: conversation.id, level: reason === 'in_danger' ? 'emergency' : 'none', categories, reason, slaSeconds: this.options.slaSeconds, now });
        status = 'queued';
        ctx.say({ key: 'handoff.queued', params: { position: await queuePosition(tx, queued.handoffId) } });
        events.push({ type: 'handoff.created', handoffId: queued.handoffId, conversationId: conversation.id, priority: queued.priority });
      },
      erase: () => {},
    };
    const snapshot = await this.stepFlow(ctx, conversation, (session) => (session.fresh ? null : { type: 'RESUME' }), actions);
    await this.saveFlowState(tx, conversation, { snapshot, locale, status, now, outbound });
    const outboundIds = await enqueueOutbound(tx, { conversationId: conversation.id, channel: conversation.channel, messages: outbound, now });
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
    };
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  /**
   * Rehydrates the conversation's flow, feeds it the event `pick` chooses (none: only what starting
   * emits), performs its outputs (effects feed results back, bounded) and returns the new snapshot.
   */
  private async stepFlow(ctx: TurnContext, stored: StoredFlow, pick: (session: FlowSession) => FlowEvent | null, actions: FlowActions): Promise<unknown> {
    const session = openFlowSession(this.flow, stored.snapshot === null ? null : stored);
    try {
      if (session.reset) ctx.say({ key: 'common.flowUpdated' });
      const event: FlowEvent | null = session.reset ? { type: 'MENU' } : pick(session);
      let outputs = [...session.startOutputs, ...(event ? session.send(event) : [])];
      for (let round = 0; outputs.length && round < MAX_EFFECT_ROUNDS; round++) {
        const followUps: FlowEvent[] = [];
        for (const output of outputs) {
          const next = await this.perform(ctx, output, actions);
          if (next) followUps.push(next);
        }
        outputs = followUps.flatMap((e) => session.send(e));
      }
      return session.persisted();
    } finally {
      session.stop();
    }
  }

  private async perform(
    ctx: TurnContext,
    output: FlowOutput,
    actions: FlowActions,
  ): Promise<FlowEvent | void> {
    switch (output.type) {
      case 'reply':
        ctx.say(output);
        return;
      case 'setLocale':
        ctx.locale = output.locale;
        return;
      case 'handoff':
        await actions.handoff(output.reason, output.categories ?? []);
        return;
      case 'erase':
        actions.erase();
        return;
      case 'effect': {
        const handler = this.options.effects?.[output.name];
        if (!handler) throw new Error(`no effect handler for ${output.name}`);
        return handler(ctx, output.data);
      }
    }
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

  /** Saves the flow's new snapshot, language, status and the choices the bot just offered (compare-and-swap). */
  private async saveFlowState(
    tx: Tx,
    conversation: { id: string; version: number },
    state: { snapshot: unknown; locale: Locale; status: 'bot' | 'queued'; now: Date; outbound: OutboundMessage[] },
  ): Promise<void> {
    const lastBot = [...state.outbound].reverse().find((m) => m.author === 'bot');
    await this.casUpdate(tx, conversation.id, conversation.version, {
      snapshot: state.snapshot as object,
      machineId: this.flow.id,
      machineVersion: this.flow.version,
      locale: state.locale,
      status: state.status,
      lastActivityAt: state.now,
      ...(lastBot ? { offeredChoices: (lastBot.choices ?? []) as unknown as object } : {}),
    });
  }

  /** Writes the conversation only if nobody else did since we read it; otherwise the whole turn is retried. */
  private async casUpdate(tx: Tx, id: string, expectedVersion: number, data: Parameters<Tx['conversation']['updateMany']>[0]['data']) {
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

/** On first contact the welcome is the answer; only a choice or a global intent is also applied. */
function startsFreshConversation(event: FlowEvent): boolean {
  return !['TEXT', 'START', 'ATTACHMENT', 'LOCATION'].includes(event.type);
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
