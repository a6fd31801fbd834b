/** Renders flow replies (i18n keys) into canonical outbound messages in the conversation's language. */
import type { Locale, ReplyOutput } from '../../flows/types.js';
import { translate } from '../i18n/index.js';
import type { OutboundMessage } from '../messages/types.js';

export function renderReply(locale: Locale, reply: ReplyOutput): OutboundMessage {
  const message: OutboundMessage = { text: translate(locale, reply.key, reply.params), author: 'bot' };
  if (reply.choices?.length) {
    message.choices = reply.choices.map((c) => ({ id: c.id, label: translate(locale, c.key, c.params) }));
    // After repeated misses the text itself lists the choices with numbers, whatever the channel's buttons show.
    if (reply.numbered) message.text = [message.text, '', ...message.choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n');
  }
  if (reply.urgent) message.urgent = true;
  const secrets = (reply.secretParams ?? []).map((name) => String(reply.params?.[name] ?? '')).filter(Boolean);
  if (secrets.length) message.secrets = secrets;
  return message;
}
