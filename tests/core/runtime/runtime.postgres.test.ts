/**
 * The PostgreSQL suite: the same runtime guarantees on a real server, plus what only a server
 * with several connections can show (a conflicting writer between read and compare-and-swap).
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPostgresTestDatabase, postgresSuiteMode, TEST_DATABASE_URL } from '../../helpers/db.js';
import { createTestApp, textFrom } from '../../helpers/app.js';
import { recordingPort } from '../../helpers/ports.js';
import { emit, setup } from 'xstate';
import type { EffectHandler } from '../../../core/runtime/turn-context.js';
import type { FlowEvent, FlowOutput } from '../../../flows/types.js';
import { runtimeSuite } from './runtime.suite.js';

const mode = postgresSuiteMode();

if (mode === 'fail') {
  it('PostgreSQL suite needs TEST_DATABASE_URL in CI', () => {
    expect.fail('TEST_DATABASE_URL is not set: .ci/run must start PostgreSQL and export it');
  });
}

describe.runIf(mode === 'run')('runtime on PostgreSQL', () => {
  runtimeSuite(createPostgresTestDatabase);

  it('retries the whole turn when another writer changed the conversation after it was read', async () => {
    const database = await createPostgresTestDatabase();
    const dbName = (await database.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`)[0]!.name;
    const url = new URL(TEST_DATABASE_URL!);
    url.pathname = `/${dbName}`;
    const writer = new pg.Client({ connectionString: url.toString() });
    await writer.connect();
    // A flow whose effect runs inside the turn's transaction, after the conversation was read:
    // the moment a console action or another instance could write the same row.
    const machine = setup({ types: { events: {} as FlowEvent, emitted: {} as FlowOutput } }).createMachine({
      initial: 'idle',
      states: {
        idle: {
          on: {
            TEXT: { actions: [emit({ type: 'effect', name: 'interfere', data: {} }), emit({ type: 'reply', key: 'menu.prompt' })] },
          },
        },
      },
    });
    let attempts = 0;
    const interfere: EffectHandler = async () => {
      attempts += 1;
      if (attempts === 1) await writer.query(`UPDATE "Conversation" SET version = version + 1, locale = 'en'`);
    };
    const app = await createTestApp({ database, ports: [recordingPort()], flow: { id: 'cas', version: 1, machine }, effects: { interfere } });
    try {
      const first = await app.runtime.handleTurn(textFrom('cas-user', '/start'));
      const turn = await app.runtime.handleTurn(textFrom('cas-user', 'anything'));
      expect(turn.status).toBe('handled');
      expect(attempts).toBe(2); // the conflicting attempt was rolled back and the turn ran again
      const conversation = await database.prisma.conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
      expect(conversation.version).toBe(3); // first turn, the other writer, the retried turn: none lost
      expect(conversation.locale).toBe('en'); // the retried turn saw the other writer's change
      expect(await database.prisma.message.count({ where: { direction: 'inbound' } })).toBe(2);
      expect(await database.prisma.message.count({ where: { direction: 'outbound' } })).toBe(1);
    } finally {
      await writer.end();
      await app.close();
    }
  });
});
