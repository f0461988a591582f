import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

describe('prf-backload form render (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-form-'));

  it('prints forms to a PDF', () => {
    const out = join(dir, 'forms.pdf');
    const r = runCli(['form', 'render', '--serials', '1000-1001', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rendered 2 form\(s\), 4 page\(s\)/);
    expect(existsSync(out)).toBe(true);
  });

  it.each([
    ['an unknown template name', ['--template', 'no-such-form', '--serials', '1-2'], /no built-in template is called "no-such-form"/],
    ['a reversed serial range', ['--serials', '1099-1000'], /reversed/],
    ['over 100,000 forms', ['--serials', '1-100001'], /at most 100000/],
  ])('refuses %s with a clear error and writes nothing', (_name, args, message) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}.pdf`);
    const r = runCli(['form', 'render', ...args, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a template file that is not JSON', () => {
    const bad = join(dir, 'broken-template.json');
    writeFileSync(bad, 'this is not json');
    const sub = mkdtempSync(join(dir, 'out-'));
    const r = runCli(['form', 'render', '--template', bad, '--serials', '1', '--out', join(sub, 'f.pdf')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not JSON/);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('shows an example in --help of every command', () => {
    for (const cmd of [['schema'], ['form', 'render']]) {
      const r = runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Example/);
    }
  });
});
