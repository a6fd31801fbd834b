/**
 * Dedupe keys. Message.channelMessageId is unique per channel, but some platforms' ids are unique
 * only inside a conversation (Bot Framework activity ids, Direct Line clientActivityID): their
 * adapters prefix the id with its scope so a second user's message with the same id is kept.
 */
import { createHash } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

/** "<scope digest>:<id>", at most 256 characters (a long id is digested too). */
export function scopedMessageId(scope: string, id: string): string {
  const key = `${digest(scope)}:${id}`;
  return key.length <= 256 ? key : `${digest(scope)}:${digest(id)}`;
}

/** The platform's own id back from a scoped key (keys made before scoping come back unchanged). */
export function unscopedMessageId(scope: string, key: string): string {
  const prefix = `${digest(scope)}:`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}
