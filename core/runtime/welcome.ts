/**
 * The flow's welcome, rendered without storing anything: what a fresh conversation says first.
 * The web chat shows it before the user has said anything (a conversation is stored only with its
 * first user message; the welcome is stored then, as the flow's own start).
 */
import type { FlowDefinition, Locale } from '../../flows/types.js';
import type { OutboundMessage } from '../messages/types.js';
import { openFlowSession } from './flow-session.js';
import { renderReply } from './render.js';

export function renderWelcome(flow: FlowDefinition, locale: Locale): OutboundMessage[] {
  const session = openFlowSession(flow, null);
  try {
    return session.startOutputs.flatMap((output) => (output.type === 'reply' ? [renderReply(locale, output)] : []));
  } finally {
    session.stop();
  }
}
