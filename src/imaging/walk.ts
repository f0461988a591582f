// Expand the files and folders a user named into the list of scan files to read, in a stable order.
// Every file found is either yielded for reading or reported with a reason: none is silently dropped, except
// hidden files (dotfiles, such as .DS_Store) inside folders and second sightings of the same file.
import { constants } from 'node:fs';
import { access, lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanInputError } from './errors.ts';

export type WalkItem = { path: string } | { path: string; error: ScanInputError };

interface WalkState {
  /** Real paths of files already yielded: the same file reached twice (named twice, via a link) is read once. */
  seenFiles: Set<string>;
  /** Real paths of folders already walked in full (or being walked). */
  seenDirs: Set<string>;
}

/**
 * Yield every file under the given paths. Paths are taken in the order given; inside a folder, entries are
 * sorted by name (plain code-point order, the same on every machine) and folders are walked recursively.
 * Links are followed; a link that leads back into a folder being walked is reported as a loop, not followed.
 * Hidden entries inside folders are skipped; a hidden file named explicitly is still read.
 */
export async function* walkInputs(paths: string[]): AsyncGenerator<WalkItem> {
  const state: WalkState = { seenFiles: new Set(), seenDirs: new Set() };
  for (const path of paths) yield* walkPath(path, [], state);
}

async function* walkPath(path: string, ancestors: string[], state: WalkState): AsyncGenerator<WalkItem> {
  let isLink: boolean;
  try {
    isLink = (await lstat(path)).isSymbolicLink();
  } catch (err) {
    yield { path, error: fsError(path, err) };
    return;
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    yield { path, error: fsError(path, err, isLink) };
    return;
  }
  let target;
  try {
    target = await stat(path);
  } catch (err) {
    yield { path, error: fsError(path, err, isLink) };
    return;
  }

  if (target.isDirectory()) {
    if (ancestors.includes(real)) {
      yield {
        path,
        error: new ScanInputError('symlink-loop', path, { detail: `It leads back to the folder ${real}, which contains it` }),
      };
      return;
    }
    if (state.seenDirs.has(real)) return; // its files have all been yielded already
    state.seenDirs.add(real);
    yield* walkDirectory(path, [...ancestors, real], state);
    return;
  }

  if (!target.isFile()) {
    yield { path, error: new ScanInputError('unreadable-file', path, { detail: 'It is not a regular file (a pipe, socket or device)' }) };
    return;
  }
  if (state.seenFiles.has(real)) return;
  state.seenFiles.add(real);
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    yield { path, error: fsError(path, err) };
    return;
  }
  yield { path };
}

async function* walkDirectory(dir: string, ancestors: string[], state: WalkState): AsyncGenerator<WalkItem> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    yield { path: dir, error: fsError(dir, err) };
    return;
  }
  const visible = names.filter((name) => !name.startsWith('.')).sort(byCodePoint);
  for (const name of visible) yield* walkPath(join(dir, name), ancestors, state);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fsError(path: string, err: unknown, isLink = false): ScanInputError {
  const errno = (err as NodeJS.ErrnoException)?.code;
  switch (errno) {
    case 'ELOOP':
      return new ScanInputError('symlink-loop', path, { cause: err, detail: 'The chain of links goes round in a circle' });
    case 'ENOENT':
      return new ScanInputError('unreadable-file', path, {
        cause: err,
        detail: isLink ? 'It is a link to a file or folder that does not exist' : 'It does not exist',
      });
    case 'EACCES':
    case 'EPERM':
      return new ScanInputError('unreadable-file', path, { cause: err, detail: 'Permission was denied' });
    case 'ENOTDIR':
      return new ScanInputError('unreadable-file', path, { cause: err, detail: 'Part of the path is a file, not a folder' });
    default:
      return new ScanInputError('unreadable-file', path, { cause: err, detail: `The system said: ${errno ?? String(err)}` });
  }
}
