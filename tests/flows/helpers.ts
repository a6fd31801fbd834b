/** Drives a user through handleTurn and reads back what the bot said (text and offered choices). */
import { choiceFrom, textFrom, type TestApp } from '../helpers/app.js';
import type { InboundMessage } from '../../core/messages/types.js';

export interface Said {
  texts: string[];
  choices: { id: string; label: string }[];
  handoffId?: string;
}

export function driver(app: TestApp, user: string, channel = 'test') {
  let conversationId: string | undefined;
  const run = async (message: InboundMessage): Promise<Said> => {
    const result = await app.runtime.handleTurn(message);
    conversationId = result.conversationId;
    const rows = result.outboundIds.length
      ? await app.database.prisma.message.findMany({ where: { id: { in: result.outboundIds } }, orderBy: { seq: 'asc' } })
      : [];
    const last = [...rows].reverse().find((r) => (r.payload as { choices?: unknown } | null)?.choices);
    return {
      texts: rows.map((r) => r.text ?? ''),
      choices: ((last?.payload as { choices?: { id: string; label: string }[] } | null)?.choices ?? []),
      ...(result.handoffId ? { handoffId: result.handoffId } : {}),
    };
  };
  return {
    text: (text: string) => run(textFrom(user, text, channel)),
    choose: (id: string) => run(choiceFrom(user, id, channel)),
    location: (latitude: number, longitude: number) =>
      run({ channel, externalUserId: user, externalMessageId: `loc-${Math.random()}`, kind: 'location', payload: { location: { latitude, longitude } } }),
    get conversationId() {
      return conversationId;
    },
  };
}
