// The job folder keeps patient data: page images, crops, thumbnails and job.sqlite. It must stay inside the job
// folder and readable by its owner only. A subfolder that is a link would send page images somewhere else (and
// the old code chmodded whatever it pointed at), so it is refused; loose modes are tightened, or refused with a
// plain message when they cannot be (another user's files).
import { chmodSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './fs-safe.ts';

/** Subfolders of a job holding page images, crops and thumbnails (the store creates them; this module guards them). */
export const JOB_SUBDIRS = ['pages', 'crops', 'thumbs'] as const;
const DB_FILES = ['job.sqlite', 'job.sqlite-wal', 'job.sqlite-shm'];

export class JobFolderError extends Error {
  override name = 'JobFolderError';
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Tighten one entry to `mode`; returns whether it changed. Throws JobFolderError when it cannot. */
function tighten(path: string, mode: number, label: string): boolean {
  const st = lstatOrUndefined(path);
  if (!st || (st.mode & 0o777 & ~mode) === 0) return false;
  try {
    chmodSync(path, mode);
    return true;
  } catch {
    throw new JobFolderError(
      `${label} is readable by other users (mode ${(st.mode & 0o777).toString(8)}) and its permissions cannot be changed by you. ` +
        `Ask its owner to run: chmod ${mode.toString(8)} "${path}"`,
    );
  }
}

/**
 * Check the job folder before the store opens it: no subfolder may be a link or a file, and the folder and its
 * database files are made owner-only. Returns the entries tightened (relative to dir).
 */
export function checkJobFolder(dir: string): string[] {
  const tightened: string[] = [];
  for (const sub of JOB_SUBDIRS) {
    const path = join(dir, sub);
    const st = lstatOrUndefined(path);
    if (!st) continue;
    if (st.isSymbolicLink()) {
      let target = '';
      try {
        target = ` (to ${readlinkSync(path)})`;
      } catch {
        // keep the message without it
      }
      throw new JobFolderError(
        `${sub}/ in the job ${dir} is a link${target}. A job keeps its page images inside its own folder, so nothing was written. ` +
          `Replace the link with a real folder (move what it holds into ${path}) and run the command again`,
      );
    }
    if (!st.isDirectory()) throw new JobFolderError(`${sub} in the job ${dir} is a file, not a folder. Move it away and run the command again`);
  }
  if (tighten(dir, PRIVATE_DIR_MODE, `The job folder ${dir}`)) tightened.push('.');
  for (const f of DB_FILES) if (tighten(join(dir, f), PRIVATE_FILE_MODE, `${f} in ${dir}`)) tightened.push(f);
  for (const sub of JOB_SUBDIRS) if (tighten(join(dir, sub), PRIVATE_DIR_MODE, `${sub}/ in ${dir}`)) tightened.push(`${sub}/`);
  return tightened;
}

/**
 * Make every page image, crop and thumbnail owner-only (0600), for a writing command at its start. A file that is
 * a link is refused: the job's own files are never links. Returns how many files were tightened.
 */
export function tightenJobFiles(dir: string): number {
  let n = 0;
  for (const sub of JOB_SUBDIRS) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, sub, name);
      const st = lstatOrUndefined(path);
      if (!st) continue;
      if (st.isSymbolicLink()) throw new JobFolderError(`${sub}/${name} in the job ${dir} is a link. The job's own files are never links; remove it and run the command again`);
      if (st.isFile() && tighten(path, PRIVATE_FILE_MODE, `${sub}/${name} in ${dir}`)) n++;
    }
  }
  return n;
}
