/**
 * `npm run --silent risk`: one message per line on stdin → one JSON object per line on stdout,
 * `{"level":"none|elevated|high|emergency","categories":[...]}`. `npm run --silent risk -- "text"`
 * assesses one message. Nothing else is written to stdout.
 */
import { createInterface } from 'node:readline';
import { lexiconDetector } from './assess.js';

const detector = lexiconDetector();
const line = (text: string) => {
  const { level, categories } = detector.assess(text);
  return JSON.stringify({ level, categories });
};

const args = process.argv.slice(2);
if (args.length) {
  process.stdout.write(`${line(args.join(' '))}\n`);
} else {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const text of rl) process.stdout.write(`${line(text)}\n`);
}
