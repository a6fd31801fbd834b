/**
 * A channel's reply address (e.g. a Bot Framework conversation reference: channel, service URL,
 * conversation, tenant, user and bot ids) is kept in Conversation.channelRef and written and read
 * ONLY through these two functions. They encode it as JSON; the database client seals that at rest
 * like everything people say (core/privacy/encrypted-client.ts), so the column never holds it in clear.
 */
import { z } from 'zod';

/** A flat record of short strings: what a channel needs to reply, nothing about the person. */
export type ChannelRef = Record<string, string>;

export const channelRefSchema = z.record(z.string().max(64), z.string().max(2048)).refine((r) => Object.keys(r).length <= 16, 'at most 16 fields');

/** The stored form of a reply address. */
export function sealChannelRef(ref: ChannelRef): string {
  const sorted = Object.fromEntries(Object.entries(ref).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify(sorted);
}

/** The reply address from its stored form; null when there is none or it cannot be read. */
export function openChannelRef(stored: string | null | undefined): ChannelRef | null {
  if (!stored) return null;
  try {
    const parsed = channelRefSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The value to store when a turn brings `incoming`, or undefined when the stored one already says the same. */
export function channelRefUpdate(stored: string | null | undefined, incoming: ChannelRef | undefined): string | undefined {
  if (!incoming) return undefined;
  const current = openChannelRef(stored);
  const same = current !== null && Object.keys(current).length === Object.keys(incoming).length && Object.entries(incoming).every(([k, v]) => current[k] === v);
  return same ? undefined : sealChannelRef(incoming);
}
