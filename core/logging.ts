/**
 * Structured logs (pino). Never log message text, report contents, tokens or secrets: the
 * redaction list below is a safety net, not a licence to log payloads.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-line-signature"]',
  'req.headers["x-zevent-signature"]',
  'res.headers["set-cookie"]',
  '*.text',
  '*.password',
  '*.token',
  '*.secret',
];

/** A request path fit for logs: no query string, no Direct Line conversation id. */
export function logPath(url: string | undefined): string | undefined {
  return url?.split('?')[0]!.replace(/\/conversations\/[^/]+/, '/conversations/:id');
}

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'hotline-111' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Request logs keep method, route and id; query strings may carry tokens, so the path is cut at
      // '?', and Direct Line conversation ids (they open a user's chat) become ':id'.
      req: (req: { id?: string; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: logPath(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
