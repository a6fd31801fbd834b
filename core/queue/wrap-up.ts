/**
 * Closing a counsellor's chat: a short structured wrap-up as the hotline counts contacts (type of
 * contact, referrals made, follow-up needed), stored on the handoff; the person is told the chat
 * ended (by the counsellor's alias), given the emergency numbers for where they are again, and
 * offered a one-question survey ("Did this chat help you?"). The survey's answers are choices the
 * runtime records before the flow sees them (`answerSurvey`), then the assistant carries on.
 *
 * The survey is not asked when the counsellor says not to, or when the person said their phone is
 * watched (every extra message is a risk for them).
 */
import { z } from 'zod';
import type { FlowEvent, Locale } from '../../flows/types.js';
import type { Tx } from '../db/tx.js';
import { translate } from '../i18n/index.js';
import type { OutboundMessage } from '../messages/types.js';
import { atRest } from '../runtime/flow-step.js';
import type { TurnContext } from '../runtime/turn-context.js';
import { numbersText } from '../safety/guidance.js';
import type { Whereabouts } from '../safety/whereabouts.js';
import { aliasOf, aliasShown } from './alias.js';

/** Types of contact as the hotline counts them. */
export const CONTACT_TYPES = ['information', 'report', 'advice'] as const;
/** Referrals a counsellor may record at close. */
export const REFERRALS = ['police', 'border_guard', 'social_services', 'shelter', 'legal_aid', 'health', 'other'] as const;
export const SURVEY_ANSWERS = ['yes', 'partly', 'no'] as const;
export type SurveyAnswer = (typeof SURVEY_ANSWERS)[number];
/** A survey answer is taken up to this long after it was asked. */
export const SURVEY_OPEN_MS = 24 * 3600_000;
const SURVEY_PREFIX = 'survey.';

export const wrapUpSchema = z.object({
  contactType: z.enum(CONTACT_TYPES),
  referrals: z
    .array(z.enum(REFERRALS))
    .max(REFERRALS.length)
    .refine((list) => new Set(list).size === list.length, 'each referral once'),
  followUpNeeded: z.boolean(),
});
export type WrapUp = z.infer<typeof wrapUpSchema>;

/**
 * Stores the wrap-up on a handoff being closed and gives what the person is told: the chat ended,
 * the numbers again, and (unless `survey` is false) the survey question. Runs in the closing
 * transaction (Runtime.returnToBot). `surveyAsked`: the assistant waits for the answer before it
 * carries on (answerSurvey).
 */
export async function closeWithWrapUp(
  tx: Tx,
  input: { handoffId: string; counsellorId: string | null; categories: string[]; locale: Locale; where: Whereabouts | undefined; wrapUp?: WrapUp; survey?: boolean; now: Date },
): Promise<{ messages: OutboundMessage[]; surveyAsked: boolean }> {
  const alias = aliasShown(input.locale, await aliasOf(tx, input.counsellorId));
  const surveyAsked = input.survey !== false && !input.categories.includes('phone_watched');
  await tx.handoff.update({
    where: { id: input.handoffId },
    data: {
      ...(input.wrapUp ? { contactType: input.wrapUp.contactType, referrals: input.wrapUp.referrals, followUpNeeded: input.wrapUp.followUpNeeded } : {}),
      ...(surveyAsked ? { surveyAskedAt: input.now } : {}),
    },
  });
  const messages: OutboundMessage[] = [{ author: 'system', text: [translate(input.locale, 'wrapup:closed', { alias }), numbersText(input.locale, input.where)].join('\n\n') }];
  if (surveyAsked) {
    messages.push({
      author: 'bot',
      text: translate(input.locale, 'wrapup:survey.question'),
      choices: SURVEY_ANSWERS.map((answer) => ({ id: `${SURVEY_PREFIX}${answer}`, label: translate(input.locale, `wrapup:survey.${answer}`) })),
    });
  }
  return { messages, surveyAsked };
}

/**
 * Takes a survey answer before the flow sees it: a chosen (or typed) answer to the survey of this
 * conversation's last closed chat, asked within SURVEY_OPEN_MS and not answered yet, is recorded
 * once and thanked; the events returned carry the assistant on (the menu, or back to where the
 * person was). Anything else: undefined, and the turn goes on as usual.
 */
export async function answerSurvey(ctx: TurnContext, event: FlowEvent, mainState: unknown): Promise<FlowEvent[] | undefined> {
  if (event.type !== 'CHOICE' || !event.id.startsWith(SURVEY_PREFIX)) return undefined;
  const answer = event.id.slice(SURVEY_PREFIX.length) as SurveyAnswer;
  if (!SURVEY_ANSWERS.includes(answer)) return undefined;
  const handoff = await ctx.tx.handoff.findFirst({
    where: { conversationId: ctx.conversationId, state: 'closed', surveyAskedAt: { gte: new Date(ctx.now.getTime() - SURVEY_OPEN_MS) } },
    orderBy: { closedAt: 'desc' },
    select: { id: true, surveyAnswer: true },
  });
  if (handoff && !handoff.surveyAnswer) {
    await ctx.tx.handoff.update({ where: { id: handoff.id }, data: { surveyAnswer: answer, surveyAnsweredAt: ctx.now } });
  }
  ctx.say({ key: answer === 'no' ? 'wrapup:survey.thanksNo' : 'wrapup:survey.thanks' });
  return [atRest(mainState) ? { type: 'MENU' } : { type: 'RESUME' }];
}
