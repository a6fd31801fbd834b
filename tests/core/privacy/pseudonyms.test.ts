/**
 * Pseudonyms are keyed by the app secret: the same platform id under another APP_SECRET is another
 * pseudonym (a leaked database cannot be joined to platform ids without the secret), and the same
 * secret always gives the same one (people are found again).
 */
import { afterAll, expect, it } from 'vitest';
import { createTestApp, textFrom, type TestApp } from '../../helpers/app.js';

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

const SECRET_A = 'first-app-secret-of-at-least-32-characters';
const SECRET_B = 'second-app-secret-of-at-least-32-characters';

/** The pseudonym a fresh app with `secret` stores for platform user `user` after one message. */
async function storedPseudonym(secret: string, user: string): Promise<string> {
  const app = await createTestApp({ env: { APP_SECRET: secret } });
  apps.push(app);
  await app.runtime.handleTurn(textFrom(user, 'xin chào'));
  const identities = await app.database.prisma.channelIdentity.findMany({ select: { userHash: true } });
  expect(identities).toHaveLength(1);
  return identities[0]!.userHash;
}

it('the same platform id gets a different pseudonym under another secret, and the same one under the same secret', async () => {
  const [a1, a2, b] = await Promise.all([storedPseudonym(SECRET_A, 'user-42'), storedPseudonym(SECRET_A, 'user-42'), storedPseudonym(SECRET_B, 'user-42')]);
  expect(a1).toBe(a2);
  expect(b).not.toBe(a1);
  for (const hash of [a1, b]) expect(hash).not.toContain('user-42');
  // Another person under the same secret is another pseudonym.
  expect(await storedPseudonym(SECRET_A, 'user-43')).not.toBe(a1);
});
