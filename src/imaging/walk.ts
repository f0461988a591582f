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

/** Folders nested deeper than this below a path the user named are not walked: no scanner makes such a tree. */
export const MAX_FOLDER_DEPTH = 64;

/**
 * Yield every file under the given paths. Paths are taken in the order given; inside a folder, entries are
 * sorted by name (plain code-point order, the same on every machine) and folders are walked in that order, depth
 * first. The walk keeps its own stack (no recursion), so a very deep tree cannot overflow the call stack; a folder
 * more than MAX_FOLDER_DEPTH levels down is reported as 'folder-too-deep' and not entered.
 * Links are followed; a link that leads back into a folder being walked is reported as a loop, not followed.
 * Hidden entries inside folders are skipped; a hidden file named explicitly is still read.
 */
export async function* walkInputs(paths: string[], opts: { maxDepth?: number } = {}): AsyncGenerator<WalkItem> {
  const maxDepth = opts.maxDepth ?? MAX_FOLDER_DEPTH;
  const state: WalkState = { seenFiles: new Set(), seenDirs: new Set() };
  for (const top of paths) {
    // Each frame is one open folder: the entries still to visit, and the real paths of the folders above it.
    const stack: { next: string[]; ancestors: string[] }[] = [{ next: [top], ancestors: [] }];
    while (stack.length) {
      const frame = stack[stack.length - 1]!;
      const path = frame.next.shift();
      if (path === undefined) {
        stack.pop();
        continue;
      }
      const visit = await visitPath(path, frame.ancestors, state);
      if ('item' in visit) {
        if (visit.item) yield visit.item;
        continue;
      }
      if (frame.ancestors.length >= maxDepth) {
        yield {
          path,
          error: new ScanInputError('folder-too-deep', path, {
            detail: `It is more than ${maxDepth} folders down from ${top}, so nothing inside it was read`,
          }),
        };
        continue;
      }
      let names: string[];
      try {
        names = await readdir(path);
      } catch (err) {
        yield { path, error: fsError(path, err) };
        continue;
      }
      const visible = names.filter((name) => !name.startsWith('.')).sort(byCodePoint);
      stack.push({ next: visible.map((name) => join(path, name)), ancestors: [...frame.ancestors, visit.folder] });
    }
  }
}

/** What one path is: a file to yield, an error, nothing (seen before), or a folder to walk (its real path). */
async function visitPath(path: string, ancestors: string[], state: WalkState): Promise<{ item: WalkItem | undefined } | { folder: string }> {
  let isLink: boolean;
  try {
    isLink = (await lstat(path)).isSymbolicLink();
  } catch (err) {
    return { item: { path, error: fsError(path, err) } };
  }
  let real: string;
  let target;
  try {
    real = await realpath(path);
    target = await stat(path);
  } catch (err) {
    return { item: { path, error: fsError(path, err, isLink) } };
  }

  if (target.isDirectory()) {
    if (ancestors.includes(real)) {
      return {
        item: { path, error: new ScanInputError('symlink-loop', path, { detail: `It leads back to the folder ${real}, which contains it` }) },
      };
    }
    if (state.seenDirs.has(real)) return { item: undefined }; // its files have all been yielded already
    state.seenDirs.add(real);
    return { folder: real };
  }

  if (!target.isFile()) {
    return { item: { path, error: new ScanInputError('unreadable-file', path, { detail: 'It is not a regular file (a pipe, socket or device)' }) } };
  }
  if (state.seenFiles.has(real)) return { item: undefined };
  state.seenFiles.add(real);
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    return { item: { path, error: fsError(path, err) } };
  }
  return { item: { path } };
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
