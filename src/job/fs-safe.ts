// Private files and folders: patient data is written 0600 in 0700 folders, atomically (temp name, fsync, rename,
// fsync the folder), so a crash leaves either the old file or the new one, never half of one.
import { accessSync, closeSync, constants, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statfsSync, statSync, chmodSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create a folder (and parents) mode 0700; tighten an existing one. */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((statSync(path).mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE);
}

/** fsync a folder so a rename inside it survives a power cut. */
export function fsyncDir(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Temp names start with this, so a clean-up can find files left by a crash. */
export const TEMP_PREFIX = '.tmp-';

/** Write a file 0600 atomically: temp name in the same folder, fsync, rename over the target, fsync the folder. */
export function writePrivateFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dir);
}

/** Rename a folder into place and make the rename durable. */
export function renameDirDurable(from: string, to: string): void {
  renameSync(from, to);
  fsyncDir(dirname(to));
}

/**
 * Write a file 0600 under a temp name and rename it into place, without fsync: for derived files (crops, thumbnails)
 * that can be made again from what is stored durably. Asynchronous, so the caller's thread keeps working.
 */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, data, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  await rename(tmp, path);
}

/** The process id inside a temp name written by this module (`.tmp-<name>.<pid>.<8 hex>`), if it is one. */
function tempWriterPid(name: string): number | undefined {
  const m = /^\.tmp-.*\.(\d+)\.[0-9a-f]{8}$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether a process with this id is alive (EPERM: alive, but someone else's). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temp files a killed process left under dir (recursively): those whose writer no longer runs. A live
 * writer's temp files are left alone. Returns the paths removed, relative to dir.
 */
export function removeStaleTempFiles(dir: string, rel = ''): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(join(dir, rel), { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) removed.push(...removeStaleTempFiles(dir, r));
    else if (e.isFile()) {
      const pid = tempWriterPid(e.name);
      if (pid !== undefined && pid !== process.pid && !processRuns(pid)) {
        rmSync(join(dir, r), { force: true });
        removed.push(r);
      }
    }
  }
  return removed;
}

/** Free space under 1 MiB counts as full: SQLite reports a failed write on a full disk only as "disk I/O error". */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * A clear, one-line message for a storage fault (disk full, read-only file system, no permission), naming the folder
 * it happened in (the failing path's folder, else `folder`), or for a job database another process kept busy;
 * undefined when the error is neither.
 */
export function storageFaultMessage(e: unknown, folder: string | undefined): string | undefined {
  const code = String((e as { code?: unknown })?.code ?? '');
  const failedPath = (e as NodeJS.ErrnoException)?.path;
  const where = failedPath ? dirname(failedPath) : folder;
  const full = `the disk holding ${where ?? 'the job folder'} is full. Free some space and run the command again; work already saved is kept`;
  const readOnly = `${where ?? 'the job folder'} is on a read-only file system, so nothing can be saved there. Make it writable (or copy the job folder elsewhere) and run the command again`;
  const denied = `permission to write in ${where ?? 'the job folder'} was denied. Check the folder's owner and permissions`;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return full;
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return readOnly;
  if (code === 'EACCES' || code === 'EPERM') return denied;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `the job database in ${where ?? 'the job folder'} was kept busy by another process for more than 5 seconds, so this command stopped. What it had finished is saved; run it again once the other command is done`;
  }
  if ((code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_IOERR')) && where) {
    // SQLite does not say why; ask the file system.
    try {
      accessSync(where, constants.W_OK);
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'EROFS') return readOnly;
      if (c === 'EACCES' || c === 'EPERM') return denied;
    }
    try {
      const fs = statfsSync(where);
      if (fs.bavail * fs.bsize < NEARLY_FULL_BYTES) return full;
    } catch {
      // fall through
    }
    return `${(e as Error).message} in ${where}`;
  }
  return undefined;
}
