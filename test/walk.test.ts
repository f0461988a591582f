// Walking the files and folders a user named, on a real temporary folder tree.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanInputError } from '../src/imaging/errors.ts';
import { walkInputs, type WalkItem } from '../src/imaging/walk.ts';

const root = mkdtempSync(join(tmpdir(), 'prf-walk-'));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function walk(paths: string[]): Promise<WalkItem[]> {
  const items: WalkItem[] = [];
  for await (const item of walkInputs(paths)) items.push(item);
  return items;
}

const rel = (items: WalkItem[]) => items.map((i) => relative(root, i.path));
const files = (items: WalkItem[]) => rel(items.filter((i) => !('error' in i)));
const errors = (items: WalkItem[]) =>
  items.filter((i): i is { path: string; error: ScanInputError } => 'error' in i).map((i) => ({ path: relative(root, i.path), code: i.error.code }));

function touch(path: string, content = 'x'): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

beforeAll(() => {
  // scans/ holds a nested tree, hidden junk, and names whose order differs between locales.
  touch(join(root, 'scans/box2/b.tif'));
  touch(join(root, 'scans/box2/a.tif'));
  touch(join(root, 'scans/box1/Z.pdf'));
  touch(join(root, 'scans/box1/inner/deep/page.png'));
  touch(join(root, 'scans/box1/a.pdf'));
  touch(join(root, 'scans/top.jpg'));
  touch(join(root, 'scans/.DS_Store'));
  touch(join(root, 'scans/.hidden/secret.tif'));
  touch(join(root, 'scans/box1/.~lock.tmp'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('walkInputs', () => {
  it('walks nested folders in a stable, sorted order and skips hidden files', async () => {
    const items = await walk([join(root, 'scans')]);
    expect(errors(items)).toEqual([]);
    expect(files(items)).toEqual([
      'scans/box1/Z.pdf', // code-point order: capitals before lower case, on every machine
      'scans/box1/a.pdf',
      'scans/box1/inner/deep/page.png',
      'scans/box2/a.tif',
      'scans/box2/b.tif',
      'scans/top.jpg',
    ]);
    expect(await walk([join(root, 'scans')])).toEqual(items);
  });

  it('keeps the order the paths were given in, and reads a hidden file named explicitly', async () => {
    const items = await walk([join(root, 'scans/top.jpg'), join(root, 'scans/box2'), join(root, 'scans/.DS_Store')]);
    expect(files(items)).toEqual(['scans/top.jpg', 'scans/box2/a.tif', 'scans/box2/b.tif', 'scans/.DS_Store']);
  });

  it('yields a file once however often it is reached', async () => {
    const dup = join(root, 'dup');
    touch(join(dup, 'one.tif'));
    symlinkSync(join(dup, 'one.tif'), join(dup, 'link-to-one.tif'));
    symlinkSync(dup, join(root, 'dup-link'));
    const items = await walk([join(dup, 'one.tif'), dup, join(dup, 'one.tif'), join(root, 'dup-link'), join(dup, '..', 'dup', 'one.tif')]);
    expect(items).toEqual([{ path: join(dup, 'one.tif') }]);
  });

  it('reports a link back into its own folder as a loop and does not follow it', async () => {
    const loopy = join(root, 'loopy');
    touch(join(loopy, 'inner/form.png'));
    symlinkSync(loopy, join(loopy, 'inner/back-to-top')); // inner/back-to-top -> loopy: a cycle
    const items = await walk([loopy]);
    expect(files(items)).toEqual(['loopy/inner/form.png']);
    expect(errors(items)).toEqual([{ path: 'loopy/inner/back-to-top', code: 'symlink-loop' }]);
    const loop = items.find((i) => 'error' in i) as { error: ScanInputError };
    expect(loop.error.message).toContain(join(loopy, 'inner/back-to-top'));
  });

  it('reports a link that points at itself as a loop', async () => {
    const dir = join(root, 'selfloop');
    mkdirSync(dir);
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    const items = await walk([dir]);
    expect(errors(items)).toEqual([
      { path: 'selfloop/a', code: 'symlink-loop' },
      { path: 'selfloop/b', code: 'symlink-loop' },
    ]);
  });

  it('reports missing paths, dangling links and things that are not files', async () => {
    const dir = join(root, 'odd');
    mkdirSync(dir);
    symlinkSync(join(dir, 'gone.tif'), join(dir, 'dangling.tif'));
    touch(join(dir, 'fine.tif'));
    let madeFifo = true;
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.tif')]);
    } catch {
      madeFifo = false; // no mkfifo on this machine: the pipe case is not checked
    }
    const items = await walk([join(root, 'no-such-folder'), dir]);
    expect(files(items)).toEqual(['odd/fine.tif']);
    expect(errors(items)).toEqual([
      { path: 'no-such-folder', code: 'unreadable-file' },
      { path: 'odd/dangling.tif', code: 'unreadable-file' },
      ...(madeFifo ? [{ path: 'odd/pipe.tif', code: 'unreadable-file' }] : []),
    ]);
    const dangling = items.find((i) => i.path.endsWith('dangling.tif')) as { error: ScanInputError };
    expect(dangling.error.message).toMatch(/link to a file or folder that does not exist/);
  });

  // Root can read a file whatever its mode bits, so chmod 000 proves nothing when the tests run as root
  // (as they do in CI containers); the dangling-link and pipe cases above cover unreadable files there.
  it.skipIf(isRoot)('reports a file and a folder it has no permission to read', async () => {
    const dir = join(root, 'locked');
    touch(join(dir, 'secret.tif'));
    touch(join(dir, 'shut/inside.tif'));
    chmodSync(join(dir, 'secret.tif'), 0o000);
    chmodSync(join(dir, 'shut'), 0o000);
    try {
      const items = await walk([dir]);
      expect(errors(items)).toEqual([
        { path: 'locked/secret.tif', code: 'unreadable-file' },
        { path: 'locked/shut', code: 'unreadable-file' },
      ]);
    } finally {
      chmodSync(join(dir, 'secret.tif'), 0o600);
      chmodSync(join(dir, 'shut'), 0o700);
    }
  });
});
