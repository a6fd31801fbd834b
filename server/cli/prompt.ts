/**
 * Reading a password: at a terminal without echo (raw mode, nothing printed, asked twice); from a
 * pipe or file, the next line of standard input (for scripts: `printf '%s\n' "$PW" | npm run admin …`).
 */
import { createInterface } from 'node:readline';
import { CliError } from './common.js';

let pipedLines: AsyncIterator<string> | null = null;

/** The next line of a non-terminal stdin (several prompts read consecutive lines). */
async function nextPipedLine(): Promise<string | null> {
  pipedLines ??= createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false })[Symbol.asyncIterator]();
  const next = await pipedLines.next();
  return next.done ? null : next.value;
}

/** One line typed at the terminal, never echoed. Ctrl-C cancels, Ctrl-D or Enter ends it. */
function readHidden(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('cancelled', 130));
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Asks for a new password meeting `rule`; at a terminal it is typed twice. */
export async function askNewPassword(rule: { min: number; max: number }, label = 'New password'): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    const line = await nextPipedLine();
    if (line === null) throw new CliError('no password on standard input (give it as the first line, or run this at a terminal)', 64);
    const password = line.replace(/\r$/, '');
    checkRule(password, rule);
    return password;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const password = await readHidden(`${label} (${rule.min}+ characters, not shown): `, input, process.stderr);
    try {
      checkRule(password, rule);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      continue;
    }
    const again = await readHidden('Type it again: ', input, process.stderr);
    if (again === password) return password;
    process.stderr.write('The two passwords differ; try again.\n');
  }
  throw new CliError('no password set', 1);
}

function checkRule(password: string, rule: { min: number; max: number }): void {
  const length = password.length; // as the console counts it (zod)
  if (length < rule.min) throw new CliError(`the password must have at least ${rule.min} characters`, 65);
  if (length > rule.max) throw new CliError(`the password must have at most ${rule.max} characters`, 65);
}
