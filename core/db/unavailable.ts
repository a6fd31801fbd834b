/**
 * Whether an error means "the database cannot be reached right now" (down, restarting, network
 * gone), as opposed to a bad query: such requests answer 503 DATABASE_UNAVAILABLE (the caller or
 * platform retries), and start-up waits for the database instead of exiting at once.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);
/** PostgreSQL: admin shutdown, crash shutdown, cannot connect now, connection exceptions. Prisma: can't reach, timed out, closed. */
const DATABASE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'P1001', 'P1002', 'P1017']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const MESSAGES = /Connection terminated|Can't reach database server|connection refused|PGlite is closed|Client has encountered a connection error/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; kind?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || DATABASE_CODES.has(e.code))) return true;
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  const adapterKind = e.meta?.driverAdapterError?.cause?.kind;
  if (typeof adapterKind === 'string' && ADAPTER_KINDS.has(adapterKind)) return true;
  if (e.name === 'PrismaClientInitializationError') return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  if (err instanceof AggregateError && err.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
