/**
 * The flow's welcome, rendered without storing anything: what a fresh conversation says first.
 * The web chat shows it before the user has said anything (a conversation is stored only with its
 * first user message; the welcome is stored then, as the flow's own start).
 */
import type { FlowDefinition, Locale } from '../../flows/types.js';
import type { OutboundMessage } from '../messages/types.js';
import { openFlowSession } from './flow-session.js';
import { renderReply } from './render.js';

export function renderWelcome(flow: FlowDefinition, locale: Locale, opts: { languageKnown?: boolean } = {}): OutboundMessage[] {
  const session = openFlowSession(flow, null);
  try {
    // A page that already knows the person's language starts as "/start <lng>" does: a short hello and the menu.
    const outputs = opts.languageKnown ? session.send({ type: 'START', locale }) : session.startOutputs;
    return outputs.flatMap((output) => (output.type === 'reply' ? [renderReply(locale, output)] : []));
  } finally {
    session.stop();
  }
}
