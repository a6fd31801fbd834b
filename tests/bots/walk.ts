/** Shared steps of the channel integration tests: wait for the outbox, walk the flow by its buttons. */
import { expect } from 'vitest';
import type { App } from '../../server/app.js';

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

/**
 * Walks the conversation by pressing buttons, whatever flow states exist: picks Vietnamese, opens the
 * report, then presses the first offered choice (typing a neutral answer when none is offered) until
 * the menu comes back or the steps run out, then asks for a counsellor from the menu. Returns the
 * choice ids pressed.
 */
export async function walkByButtons(opts: {
  app: App;
  /** Sends a press of `choiceId` through the channel's webhook/polling. */
  press(choiceId: string): Promise<void>;
  /** Sends a text through the channel. */
  type(text: string): Promise<void>;
  /** The last message the platform received for this user, as rendered buttons. */
  last(): Rendered;
  conversationStatus(): Promise<string | undefined>;
  maxSteps?: number;
}): Promise<string[]> {
  const pressed: string[] = [];
  const press = async (id: string) => {
    pressed.push(id);
    await opts.press(id);
    await settle(opts.app);
  };
  expect(opts.last().choiceIds).toContain('lang.vi');
  await press('lang.vi');
  expect(opts.last().choiceIds).toEqual(expect.arrayContaining(['report', 'counsellor']));
  await press('report');
  for (let step = 0; step < (opts.maxSteps ?? 15); step++) {
    if ((await opts.conversationStatus()) !== 'bot') return pressed;
    const { choiceIds } = opts.last();
    if (choiceIds.includes('report') && choiceIds.includes('counsellor')) break; // back at the menu
    if (choiceIds.length) await press(choiceIds[0]!);
    else {
      await opts.type('Mình không rõ');
      await settle(opts.app);
    }
  }
  if ((await opts.conversationStatus()) === 'bot') {
    const { choiceIds } = opts.last();
    if (!choiceIds.includes('counsellor')) {
      await opts.type('/menu');
      await settle(opts.app);
    }
    await press('counsellor');
  }
  return pressed;
}
