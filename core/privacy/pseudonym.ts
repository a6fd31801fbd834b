import { createHmac } from 'node:crypto';

/** HMAC(secret, channel + ':' + externalUserId): the only user identity the database keeps for lookups. */
export function pseudonymFor(key: Buffer, channel: string, externalUserId: string): string {
  return createHmac('sha256', key).update(`${channel}:${externalUserId}`).digest('base64url');
}
