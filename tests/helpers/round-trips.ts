/**
 * Counts what reaches the database: every statement, BEGIN, COMMIT and ROLLBACK through a driver
 * adapter (each is one round trip), so tests can hold a turn to its round-trip budget.
 */
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';

export interface RoundTripCounter {
  count: number;
  /** The SQL of each round trip since the last reset (BEGIN/COMMIT/ROLLBACK named as such). */
  log: string[];
  reset(): void;
}

export function countingFactory(inner: SqlMigrationAwareDriverAdapterFactory): { factory: SqlMigrationAwareDriverAdapterFactory; counter: RoundTripCounter } {
  const counter: RoundTripCounter = {
    count: 0,
    log: [],
    reset() {
      this.count = 0;
      this.log = [];
    },
  };
  const note = (what: string) => {
    counter.count += 1;
    counter.log.push(what);
  };
  const wrapTx = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === 'queryRaw' || prop === 'executeRaw') {
          return (query: { sql: string }) => {
            note(query.sql);
            return (target[prop] as (q: unknown) => Promise<unknown>).call(target, query);
          };
        }
        if (prop === 'commit' || prop === 'rollback') {
          return () => {
            note(prop.toUpperCase());
            return (target[prop] as () => Promise<void>).call(target);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  const wrapAdapter = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    new Proxy(adapter, {
      get(target, prop, receiver) {
        if (prop === 'queryRaw' || prop === 'executeRaw') {
          return (query: { sql: string }) => {
            note(query.sql);
            return (target[prop] as (q: unknown) => Promise<unknown>).call(target, query);
          };
        }
        if (prop === 'startTransaction') {
          return async (...args: unknown[]) => {
            note('BEGIN');
            return wrapTx(await (target.startTransaction as (...a: unknown[]) => Promise<Transaction>).apply(target, args));
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  const factory = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'connect') return async () => wrapAdapter(await target.connect());
      return Reflect.get(target, prop, receiver);
    },
  });
  return { factory, counter };
}
