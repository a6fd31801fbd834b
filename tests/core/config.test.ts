/** Configuration mistakes are reported, not ignored (issue 14, item 10: a partial Zalo set-up). */
import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';

it('names the missing Zalo variables when only some are set, instead of leaving Zalo silently off', () => {
  let error: unknown;
  try {
    loadConfig({ ZALO_APP_ID: '123', ZALO_ACCESS_TOKEN: 'token' });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).message).toContain('ZALO_OA_SECRET_KEY');
  expect((error as ConfigError).message).not.toMatch(/ZALO_APP_ID[,:]/);
  expect(() => loadConfig({ ZALO_REFRESH_TOKEN: 'r' })).toThrow(/ZALO_OA_SECRET_KEY, ZALO_APP_ID, ZALO_ACCESS_TOKEN/);
  // All three, or none, is fine.
  expect(loadConfig({ ZALO_APP_ID: '1', ZALO_ACCESS_TOKEN: 't', ZALO_OA_SECRET_KEY: 's' }).ZALO_APP_ID).toBe('1');
  expect(loadConfig({}).ZALO_APP_ID).toBeUndefined();
});
