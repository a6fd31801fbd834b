/** The public CLI contract: JSON lines on stdout, nothing else. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (args: string[], input?: string) =>
  execFileSync('npm', ['run', '--silent', 'risk', ...(args.length ? ['--', ...args] : [])], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

describe('npm run --silent risk', () => {
  it('reads one message per line and writes one JSON object per line', () => {
    const out = run([], 'cứu em với\nxin chào\nem bị nhốt ở Campuchia\n');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { level: string; categories: string[]; source?: string });
    expect(lines.map((l) => l.level)).toEqual(['emergency', 'none', 'emergency']);
    expect(lines[0]!.categories).toContain('immediate_danger');
    expect(lines[1]).toEqual({ level: 'none', categories: [] });
    expect(lines[2]!.categories).toContain('confinement');
    expect(['rules', 'model', 'both']).toContain(lines[2]!.source);
  });

  it('assesses one message given as an argument', () => {
    const out = JSON.parse(run(['I want to die'])) as { level: string; categories: string[] };
    expect(out.level).toBe('emergency');
    expect(out.categories).toContain('self_harm');
  });
});
