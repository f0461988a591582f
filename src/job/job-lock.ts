// One lock per job for every command that writes to it (scan, validate, review apply, each review-page decision,
// export, export --reissue), so two writers never interleave: two scans would save the same page twice, and an
// export beside a long review apply would die on "database is locked". Readers (status, audit, review export)
// take no lock: SQLite's WAL gives them a consistent snapshot.
//
// The lock is a row in the job's own meta table, taken in an IMMEDIATE transaction, so taking it is atomic and
// it lives and dies with the job. It names the holder: process id, its start time (so a reused process id is not
// mistaken for the holder), the command and when it started. A lock whose holder no longer runs (killed) is
// taken over; a command run again in the same process (a stage inside a command) shares its lock.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processRuns } from './fs-safe.ts';
import { JobStore } from './store.ts';
import { tightenJobFiles } from './job-folder.ts';

const LOCK_KEY = 'job_lock';

export const WRITING_COMMANDS = ['scan', 'validate', 'review apply', 'review', 'export', 'export --reissue'] as const;
export type WritingCommand = (typeof WRITING_COMMANDS)[number];

export interface LockHolder {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux /proc), when known. */
  start?: string;
  host: string;
  command: string;
  since: string;
}

export class JobLockedError extends Error {
  override name = 'JobLockedError';
  constructor(
    readonly jobDir: string,
    readonly holder: LockHolder,
    wanted: string,
  ) {
    super(
      `another prf-backload command is writing to the job ${jobDir}: ${holder.command} (process ${holder.pid}` +
        `${holder.host !== hostname() ? ` on ${holder.host}` : ''}, since ${holder.since}). ` +
        `Nothing was changed by this ${wanted}. Wait for it to finish and run this again; ` +
        `if that process is stuck, stop it first (kill ${holder.pid}).`,
    );
  }
}

/** The start time of a process (field 22 of /proc/PID/stat), or undefined where /proc is not there. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const self = (): { pid: number; start?: string } => {
  const start = processStart(process.pid);
  return { pid: process.pid, ...(start ? { start } : {}) };
};

/** Whether the process that wrote this lock still runs (same host, same id, same start time). */
function holderRuns(h: LockHolder): boolean {
  if (h.host !== hostname()) return true; // another machine's process: cannot tell, so assume it runs
  if (!processRuns(h.pid)) return false;
  if (h.start === undefined) return true;
  const now = processStart(h.pid);
  return now === undefined || now === h.start;
}

function readHolder(store: JobStore): LockHolder | undefined {
  const raw = store.getMeta(LOCK_KEY);
  if (!raw) return undefined;
  try {
    const h = JSON.parse(raw) as LockHolder;
    if (Number.isInteger(h.pid)) return h;
  } catch {
    // an old-style or damaged lock value: treat as held by no one
  }
  return undefined;
}

/** Who holds the job's lock now (a live holder only), for status or a message. */
export function jobLockHolder(store: JobStore): LockHolder | undefined {
  const h = readHolder(store);
  return h && (h.pid === process.pid || holderRuns(h)) ? h : undefined;
}

/**
 * Take the job's lock for `command`, or throw JobLockedError naming the live holder. Returns the release
 * function; when this process already holds the lock, release does nothing (the outer holder releases).
 */
export function acquireJobLock(store: JobStore, command: string): () => void {
  const me = self();
  let reentrant = false;
  store.inTransaction(() => {
    const h = readHolder(store);
    if (h && h.pid === me.pid && h.start === me.start && h.host === hostname()) {
      reentrant = true;
      return;
    }
    if (h && holderRuns(h)) throw new JobLockedError(store.dir, h, command);
    const holder: LockHolder = { ...me, host: hostname(), command, since: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    store.setMeta(LOCK_KEY, JSON.stringify(holder));
  });
  if (reentrant) return () => undefined;
  return () => {
    if (!store.db.open) return;
    store.db.prepare(`DELETE FROM meta WHERE key = ? AND json_extract(value, '$.pid') = ?`).run(LOCK_KEY, me.pid);
  };
}

/** Run fn holding the job's lock on an open store (e.g. one review-page decision). Synchronous work only. */
export function withStoreLock<T>(store: JobStore, command: string, fn: () => T): T {
  const release = acquireJobLock(store, command);
  try {
    return fn();
  } finally {
    release();
  }
}

/**
 * For the CLI: hold the job's lock for the whole of one writing command. Opens its own connection to the job
 * (creating the job only when `create` is set, as scan does) and keeps it until fn settles.
 */
export async function withJobLock<T>(jobDir: string, command: WritingCommand, fn: () => Promise<T> | T, opts: { create?: boolean } = {}): Promise<T> {
  const store = JobStore.open(jobDir, { create: opts.create ?? false });
  let release: (() => void) | undefined;
  try {
    release = acquireJobLock(store, command);
    const tightened = tightenJobFiles(jobDir);
    if (tightened) process.stderr.write(`Note: ${tightened} page file(s) in the job could be read by other users; they are now owner-only (0600).\n`);
    return await fn();
  } finally {
    release?.();
    store.close();
  }
}
