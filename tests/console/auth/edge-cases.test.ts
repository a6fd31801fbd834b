/** Edge cases of the console guards and recovery codes, called directly. */
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { sameOrigin, staffOf } from '../../../console/auth/guard.js';
import { hashRecoveryCode } from '../../../console/auth/totp.js';
import { AppError } from '../../../core/errors.js';

describe('same origin without a Host header', () => {
  it('is never true, even for an Origin with an empty host (file: pages)', () => {
    expect(new URL('file:///etc/passwd').host).toBe('');
    expect(sameOrigin('file:///etc/passwd', '')).toBe(false);
    expect(sameOrigin('file:///etc/passwd', undefined)).toBe(false);
  });
});

describe('a request that passed no guard', () => {
  it('is refused as unauthenticated (401), not as a server error', () => {
    let error: unknown;
    try {
      staffOf({} as FastifyRequest);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, message: 'log in first' });
  });
});

describe('recovery codes', () => {
  it('letters count: codes differing only in letters have different hashes', () => {
    expect(hashRecoveryCode('ABCD-EFGH-JKMN-PQRS')).not.toBe(hashRecoveryCode('ZYXW-VUTS-RQPN-MKJH'));
    expect(hashRecoveryCode('AB23-EFGH-JKMN-PQRS')).not.toBe(hashRecoveryCode('CD23-EFGH-JKMN-PQRS'));
    expect(hashRecoveryCode('ab23-efgh-jkmn-pqrs')).toBe(hashRecoveryCode('AB23-EFGH-JKMN-PQRS'));
  });
});
