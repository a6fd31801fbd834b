/** A real HTTP server on loopback that records every call and can fail the next N calls on demand. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
  /** True when the fake answered this call with an injected failure, or the caller left before the answer. */
  failed: boolean;
  /** When the answer was ready (performance.now(), for latency figures in bench/). */
  at?: number;
  /** When the request had arrived (performance.now()): how long a client waited between two calls. */
  receivedAt: number;
}

export interface FakeFailure {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeReply {
  status?: number;
  body: unknown;
}

export type FakeRoute = (call: RecordedCall, req: IncomingMessage) => Promise<FakeReply> | FakeReply;

export class FakeServer {
  readonly calls: RecordedCall[] = [];
  /** Failures answered to the next calls whose path matches, in order. */
  private readonly failures: { match: RegExp; failure: FakeFailure }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly route: FakeRoute) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers the next `times` calls matching `match` with `failure`. */
  failNext(match: RegExp, times: number, failure: FakeFailure): void {
    for (let i = 0; i < times; i++) this.failures.push({ match, failure });
  }

  callsTo(match: RegExp): RecordedCall[] {
    return this.calls.filter((c) => match.test(c.path));
  }

  /** Calls matching `match` that the fake accepted (injected failures left out). */
  accepted(match: RegExp): RecordedCall[] {
    return this.callsTo(match).filter((c) => !c.failed);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown = rawBody;
    const type = req.headers['content-type'] ?? '';
    if (type.includes('json') && rawBody) body = JSON.parse(rawBody);
    else if (type.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(rawBody));
    const call: RecordedCall = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body, rawBody, failed: false, receivedAt };
    const index = this.failures.findIndex((f) => f.match.test(call.path));
    if (index >= 0) {
      const { failure } = this.failures.splice(index, 1)[0]!;
      call.failed = true;
      this.calls.push(call);
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers }).end(JSON.stringify(failure.body));
      return;
    }
    try {
      const reply = await this.route(call, req);
      // A caller that went away before the answer (it crashed, or gave up) never learnt it was accepted.
      if (res.destroyed || req.socket.destroyed) call.failed = true;
      call.at = performance.now();
      this.calls.push(call);
      if (!res.destroyed) res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    } catch (err) {
      if (!res.destroyed) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
    }
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
