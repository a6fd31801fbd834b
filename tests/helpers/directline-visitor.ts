/**
 * A web chat visitor's side of the built-in Direct Line, for tests: start a conversation from a page
 * in a language, post text, read activities after a watermark, hold a raw stream socket, type the
 * shorter report as a person does, and find the secret follow-up code in what was shown or stored.
 */
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { TestApp } from './app.js';
import { directLineCall } from './directline-client.js';

export interface DlActivity {
  id: string;
  type: string;
  timestamp: string;
  channelId: string;
  conversation: { id: string };
  from: { id: string; name?: string; role: string };
  text?: string;
  attachments?: { content: { title: string; text: string } }[];
}
export interface DlActivitySet {
  activities: DlActivity[];
  watermark: string | null;
}

/** The visitor's calls against the app listening at `base`. */
export function directLineVisitor(app: TestApp, base: string) {
  const call = (method: string, path: string, token?: string, body?: unknown) => directLineCall(base, method, path, token, body);
  const postText = (id: string, token: string, text: string, clientActivityID: string) =>
    call('POST', `/v3/directline/conversations/${id}/activities`, token, { type: 'message', text, channelData: { clientActivityID } });
  return {
    call,
    postText,
    activities: async (id: string, token: string, watermark?: string | null) =>
      (await call('GET', `/v3/directline/conversations/${id}/activities${watermark ? `?watermark=${watermark}` : ''}`, token)).body as unknown as DlActivitySet,
    /** A conversation started from a page in `locale`: its token carries the language (no language question). */
    async startIn(locale: string) {
      const generated = (await call('POST', '/v3/directline/tokens/generate')).body.token as string;
      const started = await call('POST', '/v3/directline/conversations', generated, { locale });
      return { conversationId: started.body.conversationId as string, token: started.body.token as string, streamUrl: started.body.streamUrl as string };
    },
    /** A raw socket on a stream URL, collecting the activity sets it is sent. */
    async openStream(url: string) {
      const ws = new WebSocket(url);
      const sets: DlActivitySet[] = [];
      ws.on('message', (data) => sets.push(JSON.parse(String(data)) as DlActivitySet));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      return { ws, sets, all: () => sets.flatMap((s) => s.activities) };
    },
    /** The shorter report, typed as a person does (see tests/web/directline-user.test.ts); `between` runs after each answer. */
    async typeShortReport(id: string, token: string, between: () => Promise<void>) {
      for (const [i, text] of ['bao tin', 'lua dao', 'e o cpc', 'campuchia', 'khum', 'Họ hứa việc nhẹ lương cao qua Telegram'].entries()) {
        expect((await postText(id, token, text, `r-${i}`)).status).toBe(200);
        await between();
      }
    },
    /** Whether any stored outbound message of the web chat conversation still holds `code` in clear. */
    async storedHolds(id: string, code: string) {
      const rows = await app.database.prisma.message.findMany({ where: { conversation: { channel: 'webchat', externalChatId: id }, direction: 'outbound' } });
      return JSON.stringify(rows.map((m) => [m.text, m.payload])).includes(code);
    },
  };
}

/** The secret follow-up code in the codes card among `activities`, if one was shown. */
export const secretCodeIn = (activities: DlActivity[]) =>
  activities.flatMap((a) => a.attachments ?? []).map((c) => /Mã bí mật: ([2-9A-Z]{4}-[2-9A-Z]{4})/.exec(c.content.text)?.[1]).find(Boolean);
