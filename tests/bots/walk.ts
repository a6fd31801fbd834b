/** Shared steps of the channel integration tests: wait for the outbox, walk the flow by its buttons. */
import { expect } from 'vitest';
import type { App } from '../../server/app.js';
import { decryptJson } from '../../core/reports/crypto.js';

/** Waits until every outbound message of the app is delivered (or failed for good). */
export async function settle(app: App, timeout = 20_000): Promise<void> {
  app.outbox.kick();
  await expect
    .poll(() => app.database.prisma.message.count({ where: { direction: 'outbound', status: 'pending' } }), { timeout, interval: 50 })
    .toBe(0);
}

export interface Rendered {
  text: string;
  choiceIds: string[];
}

/** Choices that leave a question unanswered (navigation, skipping, sending early) or that would change the path (danger: yes). */
const NOT_AN_ANSWER = new Set(['counsellor', 'nav.menu', 'nav.back', 'skip', 'more.done', 'report.followUp', 'report.send', 'yes', 'draft.restart']);
/** Where several answers fit, the one that leads to more questions (consent to be contacted: then the contact). */
const PREFERRED = ['consent.yes', 'report.new'];
const REFERENCE = /\bHT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b/;
const FOLLOW_UP_CODE = /(?<![-\w])[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}(?![-\w])/;

export interface WalkResult {
  pressed: string[];
  typed: string[];
  reference: string;
  followUpCode: string;
}

/**
 * Files a full report by the channel's buttons and ends with a counsellor: picks Vietnamese, opens
 * the report and answers EVERY question (the essentials, then every "more details" question),
 * pressing an answer where buttons are offered, typing the number of a choice where the platform
 * shows choices as a numbered list (more than it has buttons for), typing a short answer where the
 * question is free text. Checks that the reference and follow-up codes were shown and the report
 * is stored with every answer, then asks for a counsellor from the menu.
 */
export async function walkByButtons(opts: {
  app: App;
  /** Sends a press of `choiceId` through the channel's webhook/polling. */
  press(choiceId: string): Promise<void>;
  /** Sends a text through the channel. */
  type(text: string): Promise<void>;
  /** The last message the platform received for this user, as rendered buttons. */
  last(): Rendered;
  /** Every text the platform received for this user so far, joined. */
  transcript(): string;
  conversationStatus(): Promise<string | undefined>;
  maxSteps?: number;
}): Promise<WalkResult> {
  const pressed: string[] = [];
  const typed: string[] = [];
  const press = async (id: string) => {
    pressed.push(id);
    await opts.press(id);
    await settle(opts.app);
  };
  const type = async (text: string) => {
    typed.push(text);
    await opts.type(text);
    await settle(opts.app);
  };
  /** Answers the question on screen: a button, a number from a numbered list, or text. */
  const answer = async (step: number) => {
    const { text, choiceIds } = opts.last();
    const answers = choiceIds.filter((id) => !NOT_AN_ANSWER.has(id));
    const preferred = PREFERRED.find((id) => answers.includes(id)) ?? answers[0];
    if (preferred) return press(preferred);
    // Choices as a numbered list ("1. ..."): type the number of the first.
    if (!choiceIds.length && /\n1\. /.test(text)) return type('1');
    return type(`Trả lời ${step + 1}: mình không rõ lắm`);
  };

  expect(opts.last().choiceIds).toContain('lang.vi');
  await press('lang.vi');
  expect(opts.last().choiceIds).toEqual(expect.arrayContaining(['report', 'counsellor']));
  await press('report');
  const maxSteps = opts.maxSteps ?? 40;
  // The essentials, until the report is saved and more details are offered.
  let step = 0;
  for (; !opts.last().choiceIds.includes('report.more'); step++) {
    expect(step, `no reference code after ${maxSteps} answers; last message: ${opts.last().text}`).toBeLessThan(maxSteps);
    expect(await opts.conversationStatus()).toBe('bot');
    await answer(step);
  }
  const shown = opts.transcript();
  const reference = REFERENCE.exec(shown)?.[0];
  expect(reference, 'the reference code was shown').toBeDefined();
  const followUpCode = FOLLOW_UP_CODE.exec(shown.replace(REFERENCE, ''))?.[0];
  expect(followUpCode, 'the follow-up code was shown').toBeDefined();
  const stored = await opts.app.database.prisma.report.findUnique({ where: { referenceCode: reference! } });
  expect(stored, 'the report is stored under the code shown').not.toBeNull();
  // Every "more details" question, until the flow says it has them all.
  await press('report.more');
  const asking = () => {
    const { text, choiceIds } = opts.last();
    // A details question offers "that's all"; where the choices did not fit in buttons they come numbered.
    return choiceIds.includes('more.done') || (!choiceIds.length && /\n1\. /.test(text));
  };
  for (; asking(); step++) {
    expect(step, `details never ended; last message: ${opts.last().text}`).toBeLessThan(maxSteps);
    await answer(step);
  }
  const body = decryptJson<Record<string, unknown>>(opts.app.keys.encryptionKey, (await opts.app.database.prisma.report.findUniqueOrThrow({ where: { referenceCode: reference! } })).encryptedPayload, reference!);
  for (const field of ['category', 'when', 'peopleCount', 'peopleAge', 'peopleGender', 'suspects', 'contactMethod', 'evidence', 'contactConsent', 'contact', 'details']) {
    expect(body[field], `the report has an answer for ${field}`).toBeDefined();
  }
  expect(body.contactConsent).toBe(true);
  // Then a counsellor, from the menu.
  if (!opts.last().choiceIds.includes('counsellor')) await type('/menu');
  await press('counsellor');
  return { pressed, typed, reference: reference!, followUpCode: followUpCode! };
}
