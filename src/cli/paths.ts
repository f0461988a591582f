// Checks on the files and folders named on the command line, made before any work starts, so a typo gets a plain
// usage error naming the option and the path instead of a raw ENOENT/EEXIST from deep inside a stage.
import { lstatSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import { walkInputs } from '../imaging/walk.ts';

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A file the command will read: it must exist and be a file. */
export function checkInputFile(option: string, path: string): void {
  const st = statOf(path);
  if (!st) throw new UsageError(`${option} ${path}: there is no such file. Check the name and the folder`);
  if (st.isDirectory()) throw new UsageError(`${option} ${path}: that is a folder; give the file inside it`);
}

/** A file the command will write: its folder must exist, and the path must not be a folder. */
export function checkOutputFile(option: string, path: string): void {
  const folder = dirname(resolve(path));
  const parent = statOf(folder);
  if (!parent) throw new UsageError(`${option} ${path}: the folder ${folder} does not exist. Create it first, or choose another place`);
  if (!parent.isDirectory()) throw new UsageError(`${option} ${path}: ${folder} is a file, not a folder`);
  if (statOf(path)?.isDirectory()) throw new UsageError(`${option} ${path}: that is a folder; give a file name`);
}

/** A folder the command will write into (created if missing): the path must not be an existing file. */
export function checkOutputFolder(option: string, path: string, hint = ''): void {
  const st = statOf(path);
  if (st && !st.isDirectory()) throw new UsageError(`${option} ${path}: that is a file, not a folder${hint ? `; ${hint}` : ''}`);
}

/** The run found nothing to do; exit 1 with this message. */
export class NothingToDoError extends Error {
  override name = 'NothingToDoError';
}

/**
 * Before a scan creates or touches a job: every path named must exist (a typo is a usage error, not an
 * "unreadable file" in a new job), and together they must hold at least one file to read.
 */
export async function checkScanInputs(inputs: string[]): Promise<void> {
  for (const input of inputs) {
    try {
      lstatSync(input);
    } catch {
      throw new UsageError(`${input}: there is no such file or folder. Check the name; nothing was scanned`);
    }
  }
  for await (const item of walkInputs(inputs)) {
    void item;
    return; // one file (or one named problem) is enough: the scan will report it
  }
  throw new NothingToDoError(`no scan files found in ${inputs.join(', ')} (hidden files are skipped). Nothing was scanned`);
}
