/** Errors with stable codes. The code is what logs, APIs and tests rely on; messages may change. */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'BAD_INPUT'
  | 'UNKNOWN_CHANNEL'
  | 'CAS_CONFLICT'
  | 'DELIVERY_RETRYABLE'
  | 'DELIVERY_REJECTED'
  | 'DELIVERY_UNREACHABLE'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'CONFLICT'
  | 'SHUTTING_DOWN'
  | 'HANDOFF_NOT_FOUND'
  | 'HANDOFF_TAKEN'
  | 'HANDOFF_NOT_OWNER'
  | 'HANDOFF_CLOSED'
  | 'BAD_OUTCOME'
  | 'REPORT_NOT_FOUND'
  | 'MESSAGE_NOT_FOUND'
  | 'NOTHING_TO_LABEL'
  | 'TOTP_REQUIRED'
  | 'TOTP_INVALID'
  | 'TOTP_ENROLMENT_REQUIRED'
  | 'DATABASE_UNAVAILABLE'
  | 'OFFER_NOT_YOURS'
  | 'MESSAGE_NOT_FAILED'
  | 'WRAP_UP_REQUIRED';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Thrown by a channel's send port. retryable errors are retried with backoff by the outbox. */
export class DeliveryError extends Error {
  constructor(
    readonly code: 'DELIVERY_RETRYABLE' | 'DELIVERY_REJECTED' | 'DELIVERY_UNREACHABLE',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
  get retryable(): boolean {
    return this.code === 'DELIVERY_RETRYABLE';
  }
}

/** A concurrent turn changed the conversation first; the whole turn is retried. */
export class CasConflictError extends AppError {
  constructor() {
    super('CAS_CONFLICT', 'conversation changed concurrently', 409);
  }
}
