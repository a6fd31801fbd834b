/** The public CLI contract: JSON lines on stdout, nothing else. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (args: string[], input?: string) =>
  execFileSync('npm', ['run', '--silent', 'risk', ...(args.length ? ['--', ...args] : [])], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

describe('npm run --silent risk', () => {
  it('reads one message per line and writes one JSON object per line', () => {
    const out = run([], 'cứu em với\nxin chào\nem bị nhốt ở Campuchia\n');
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { level: 'emergency', categories: ['immediate_danger'] },
      { level: 'none', categories: [] },
      { level: 'high', categories: ['confinement'] },
    ]);
  });

  it('assesses one message given as an argument', () => {
    expect(JSON.parse(run(['I want to die']))).toEqual({ level: 'high', categories: ['self_harm'] });
  });
});
