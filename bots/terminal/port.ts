/** The terminal channel's send port: prints a message with its choices numbered (the text fallback every channel has). */
import type { ChannelPort, OutboundMessage } from '../../core/messages/types.js';

export function renderAsText(message: OutboundMessage): string {
  const lines = [message.urgent ? `!! ${message.text}` : message.text];
  message.choices?.forEach((choice, i) => lines.push(`  ${i + 1}. ${choice.label}`));
  return lines.join('\n');
}

export function terminalPort(write: (text: string) => void): ChannelPort {
  return {
    channel: 'terminal',
    async send(_target, message) {
      write(`${renderAsText(message)}\n`);
    },
  };
}
