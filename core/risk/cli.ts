/**
 * `npm run --silent risk`: one message per line on stdin → one JSON object per line on stdout,
 * `{"level":"none|elevated|high|emergency","categories":[...],"source":...}` (source only when the level
 * is not none: rules, model or both). `npm run --silent risk -- "text"` assesses one message. Nothing
 * else is written to stdout.
 */
import { createInterface } from 'node:readline';
import { defaultDetector } from './index.js';

const line = (text: string) => {
  const { level, categories, source } = defaultDetector.assess(text);
  return JSON.stringify({ level, categories, ...(source ? { source } : {}) });
};

const args = process.argv.slice(2);
if (args.length) {
  process.stdout.write(`${line(args.join(' '))}\n`);
} else {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const text of rl) process.stdout.write(`${line(text)}\n`);
}
