/** A channel send port that records what it was asked to deliver and can fail on demand. */
import { DeliveryError } from '../../core/errors.js';
import type { ChannelPort, DeliveryTarget, OutboundMessage } from '../../core/messages/types.js';

export interface RecordingPort extends ChannelPort {
  sent: { target: DeliveryTarget; message: OutboundMessage }[];
  /** Errors to throw on the next sends, in order. */
  failNext: DeliveryError[];
  attempts: number;
}

export function recordingPort(channel = 'test'): RecordingPort {
  const port: RecordingPort = {
    channel,
    sent: [],
    failNext: [],
    attempts: 0,
    async send(target, message) {
      port.attempts += 1;
      const failure = port.failNext.shift();
      if (failure) throw failure;
      port.sent.push({ target, message });
    },
  };
  return port;
}
