import type { Prisma } from './generated/client.js';

/** A Prisma interactive-transaction client: what every write of a turn goes through. */
export type Tx = Prisma.TransactionClient;

export const TURN_TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 } as const;
