// The job store: one SQLite file per job (WAL, foreign keys, busy timeout). Every state change is one transaction,
// so a crash leaves the job as it was before the change or after it, and a stage can simply be run again.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { applySchema, SCHEMA_FINGERPRINT, SCHEMA_VERSION } from './db-schema.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './fs-safe.ts';
import { checkJobFolder, JOB_SUBDIRS } from './job-folder.ts';
import { statusCounts, type StatusCounts } from './job-status.ts';
import { PageStore } from './page-store.ts';
import { RecordStore } from './record-store.ts';
import { ReviewStore } from '../review/review-store.ts';
import { BatchStore } from '../export/batch-store.ts';
import { CadStore } from './cad-store.ts';
import { RosterStore } from './roster-store.ts';
import { JobStoreError, type StoreCore } from './store-core.ts';

export const JOB_DB_FILE = 'job.sqlite';
export { JOB_SUBDIRS } from './job-folder.ts';

/** How long an opener waits for another to finish turning a new job's database to WAL (as long as busy_timeout). */
const WAL_WAIT_MS = 5000;

/**
 * WAL mode, which a new job's database gets from whichever opener comes first. SQLite answers "database is locked"
 * at once, without its busy handler, to a connection that asks for WAL while another is turning the same new file
 * to WAL: the second of two scans started together stopped with "kept busy" instead of being refused by name. So the
 * second waits for the first, briefly, as busy_timeout would.
 */
function setWalMode(db: Db): void {
  const until = Date.now() + WAL_WAIT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if (!String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY') || Date.now() > until) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a synchronous pause: open is synchronous
    }
  }
}

export interface OpenOptions {
  create?: boolean;
  templateId?: string;
  templateVersion?: number;
  toolVersion?: string;
  /** Clock, for tests. ISO 8601 timestamps. */
  now?: () => string;
}

/**
 * A job's store: the one connection, its transaction helper and clock, the job's meta, and each stage's tables
 * behind an accessor (pages: sources and pages; records: records and fields; review: claims, keyings, decisions
 * and the audit read back; batches: export batches; cad and roster: the CAD incident log and the staff list validate checks against). Each stage's table access lives beside the stage, over
 * this core; a stage that needs several of them in one transaction wraps its calls in inTransaction.
 */
export class JobStore implements StoreCore {
  readonly db: Db;
  readonly dir: string;
  private readonly now: () => string;
  readonly pages: PageStore = new PageStore(this);
  readonly records: RecordStore = new RecordStore(this);
  readonly review: ReviewStore = new ReviewStore(this, this.records);
  readonly batches: BatchStore = new BatchStore(this);
  readonly cad: CadStore = new CadStore(this);
  readonly roster: RosterStore = new RosterStore(this);

  private constructor(dir: string, db: Db, now: () => string) {
    this.dir = dir;
    this.db = db;
    this.now = now;
  }

  static open(dir: string, opts: OpenOptions = {}): JobStore {
    const file = join(dir, JOB_DB_FILE);
    const exists = existsSync(file);
    if (!exists && !opts.create) throw new JobStoreError(`not a job folder (no ${JOB_DB_FILE}): ${dir}`);
    if (!exists) {
      ensurePrivateDir(dir);
      // Create the file 0600 first: SQLite gives its -wal and -shm files the same mode.
      closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
    }
    checkJobFolder(dir); // no linked subfolders; folder and database owner-only
    for (const sub of JOB_SUBDIRS) ensurePrivateDir(join(dir, sub));
    const db = new Database(file);
    db.pragma('busy_timeout = 5000');
    setWalMode(db);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = FULL');
    const now = opts.now ?? (() => new Date().toISOString());
    const store = new JobStore(dir, db, now);
    const init: Record<string, string | undefined> = {
      schema_version: String(SCHEMA_VERSION),
      // Names this job in its export manifests, so an export never mistakes another job's batch for its own.
      job_id: randomUUID(),
      created_at: now(),
      tool_version: opts.toolVersion,
      template_id: opts.templateId,
      template_version: opts.templateVersion === undefined ? undefined : String(opts.templateVersion),
      schema_fingerprint: SCHEMA_FINGERPRINT,
    };
    try {
      if (store.needsSetUp(init)) {
        store.inTransaction(() => {
          // Another opener (the other of two scans started together) may have set the job up while this one waited
          // for the write lock: then there is nothing to write.
          if (!store.needsSetUp(init)) return store.checkSchemaVersion();
          applySchema(db);
          store.checkSchemaVersion();
          const ins = db.prepare('INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)');
          for (const [k, v] of Object.entries(init)) if (v !== undefined) ins.run(k, v);
          db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_fingerprint'`).run(SCHEMA_FINGERPRINT);
        });
      } else {
        store.checkSchemaVersion();
      }
    } catch (e) {
      db.close();
      throw e;
    }
    return store;
  }

  /** Whether opening must write: the schema is not this code's, or a meta key this open names is missing. */
  private needsSetUp(init: Record<string, string | undefined>): boolean {
    const hasMeta = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
    if (!hasMeta) return true;
    if (this.getMeta('schema_fingerprint') !== SCHEMA_FINGERPRINT) return true;
    return Object.entries(init).some(([k, v]) => v !== undefined && this.getMeta(k) === undefined);
  }

  private checkSchemaVersion(): void {
    const have = this.getMeta('schema_version');
    if (have !== undefined && Number(have) !== SCHEMA_VERSION) {
      throw new JobStoreError(`job schema version ${have} is not the supported ${SCHEMA_VERSION}`);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** SQLite's integrity and foreign-key checks. */
  integrityCheck(): { ok: boolean; problems: string[] } {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    const problems = rows.map((r) => r.integrity_check).filter((s) => s !== 'ok');
    const fk = this.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    for (const f of fk) problems.push(`row ${f.rowid} of ${f.table} points at a missing ${f.parent}`);
    return { ok: problems.length === 0, problems };
  }

  /** The job's account of every page, source and record, and whether they reconcile. */
  statusCounts(): StatusCounts {
    return statusCounts(this.db);
  }

  // ---- meta

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  meta(): Record<string, string> {
    const rows = this.db.prepare('SELECT key, value FROM meta ORDER BY key').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  // ---- clock and transactions

  /** The store's clock (ISO 8601), so callers compare times the way the store writes them. */
  nowIso(): string {
    return this.now();
  }

  /**
   * Run several store calls as one transaction (nested store transactions become savepoints). BEGIN IMMEDIATE: the
   * write lock is taken first, so a read-then-claim is atomic across processes. A deferred transaction that read and
   * then wrote would fail at once (SQLITE_BUSY_SNAPSHOT, no busy wait) whenever another process committed between.
   */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

/** Run `fn` over the job in a folder, closing its store afterwards (the caller holds the job's lock where others may write). */
export async function withJobStore<T>(dir: string, fn: (store: JobStore) => Promise<T> | T): Promise<T> {
  const store = JobStore.open(dir);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
