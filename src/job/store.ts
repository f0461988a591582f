// The job store: one SQLite file per job (WAL, foreign keys, busy timeout). Every state change is one transaction,
// so a crash leaves the job as it was before the change or after it, and a stage can simply be run again.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { recordFromValues } from '../record/paths.ts';
import { applySchema, FIELD_STATUSES, RECORD_STATUSES, SCHEMA_VERSION } from './db-schema.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './fs-safe.ts';
import { checkJobFolder, JOB_SUBDIRS } from './job-folder.ts';
import { appendAudit, MACHINE_ACTORS } from './audit-log.ts';
import { statusCounts, type StatusCounts } from './job-status.ts';
import { PageStore } from './page-store.ts';
import { fromJson as parse, JobStoreError, SERIAL_ORDER, toJson as json, type StoreCore } from './store-core.ts';

export type RecordStatus = (typeof RECORD_STATUSES)[number];
export type FieldStatus = (typeof FIELD_STATUSES)[number];
export type DecisionAction = 'verify' | 'correct' | 'blank' | 'illegible';

export const JOB_DB_FILE = 'job.sqlite';
export { JOB_SUBDIRS } from './job-folder.ts';

export interface RecordRow {
  serial: string;
  templateId: string;
  templateVersion: number;
  pagesExpected: number;
  pagesRead: number;
  status: RecordStatus;
  findings: unknown[];
  updatedAt: string;
}

export interface FieldRow {
  id: number;
  serial: string;
  fieldId: string;
  pageId: number;
  type: string;
  path: string;
  rawText: string;
  read: unknown;
  confidence: number | null;
  /** The current best value (normalised or verified); null when there is none. */
  value: unknown;
  status: FieldStatus;
  reasons: unknown[];
  cropPath: string | null;
  /** Each box's alternatives from the box classifier (comb fields), or null. */
  alternatives: unknown;
  verifiedBy: string | null;
  verifiedAt: string | null;
  version: number;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  serial: string;
  fieldId: string | null;
  action: string;
  before: unknown;
  after: unknown;
  note: string | null;
}

export interface BatchMeta {
  seq: number;
  createdAt: string;
  formats: string[];
  outDir: string;
  manifestSha256: string;
  settings?: Record<string, unknown>;
}

export interface BatchRow extends BatchMeta {
  id: string;
  recordCount: number;
}

export interface OpenOptions {
  create?: boolean;
  templateId?: string;
  templateVersion?: number;
  toolVersion?: string;
  /** Clock, for tests. ISO 8601 timestamps. */
  now?: () => string;
}

export interface ReviewClaim {
  serial: string;
  fieldId: string;
  reviewer: string;
  claimedAt: string;
  expiresAt: string;
}

export type KeyingAction = 'key' | 'blank' | 'illegible';

export interface KeyingRow {
  id: number;
  at: string;
  serial: string;
  fieldId: string;
  reviewer: string;
  action: KeyingAction;
  value: unknown;
  fieldVersion: number;
}

export class VersionConflictError extends Error {
  constructor(
    readonly serial: string,
    readonly fieldId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`field ${fieldId} of form ${serial} changed since it was shown (version ${expected}, now ${actual})`);
    this.name = 'VersionConflictError';
  }
}

/**
 * A job's store: the one connection, its transaction helper and clock, the job's meta, and each stage's tables
 * behind an accessor (pages: sources and pages). Stages' table access lives beside the stage, over this core.
 */
export class JobStore implements StoreCore {
  readonly db: Db;
  readonly dir: string;
  private readonly now: () => string;
  readonly pages: PageStore = new PageStore(this);

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
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = FULL');
    const now = opts.now ?? (() => new Date().toISOString());
    const store = new JobStore(dir, db, now);
    db.transaction(() => {
      applySchema(db);
      const have = store.getMeta('schema_version');
      if (have !== undefined && Number(have) !== SCHEMA_VERSION) {
        throw new JobStoreError(`job schema version ${have} is not the supported ${SCHEMA_VERSION}`);
      }
      const init: Record<string, string | undefined> = {
        schema_version: String(SCHEMA_VERSION),
        // Names this job in its export manifests, so an export never mistakes another job's batch for its own.
        job_id: randomUUID(),
        created_at: now(),
        tool_version: opts.toolVersion,
        template_id: opts.templateId,
        template_version: opts.templateVersion === undefined ? undefined : String(opts.templateVersion),
      };
      const ins = db.prepare('INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)');
      for (const [k, v] of Object.entries(init)) if (v !== undefined) ins.run(k, v);
    })();
    return store;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Run several store calls as one transaction (nested store transactions become savepoints). */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
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

  // ---- records and fields

  private recordStatus(serial: string): RecordStatus | undefined {
    const r = this.db.prepare('SELECT status FROM records WHERE serial = ?').get(serial) as { status: RecordStatus } | undefined;
    return r?.status;
  }

  record(serial: string): RecordRow | undefined {
    const r = this.db.prepare(`${RECORD_SELECT} WHERE r.serial = ?`).get(serial) as any;
    return r ? toRecord(r) : undefined;
  }

  listRecords(filter: { status?: RecordStatus | RecordStatus[] } = {}): RecordRow[] {
    const statuses = filter.status === undefined ? [] : Array.isArray(filter.status) ? filter.status : [filter.status];
    const where = statuses.length ? `WHERE r.status IN (${statuses.map(() => '?').join(', ')})` : '';
    return (this.db.prepare(`${RECORD_SELECT} ${where} ORDER BY ${SERIAL_ORDER}`).all(...statuses) as any[]).map(toRecord);
  }

  recordFields(serial: string): FieldRow[] {
    return (this.db.prepare('SELECT * FROM fields WHERE serial = ? ORDER BY id').all(serial) as any[]).map(toField);
  }

  field(serial: string, fieldId: string): FieldRow | undefined {
    const r = this.db.prepare('SELECT * FROM fields WHERE serial = ? AND field_id = ?').get(serial, fieldId) as any;
    return r ? toField(r) : undefined;
  }

  /**
   * Validate's verdict on a field. A value a person has decided (verified_by set) is never overwritten: only its
   * reasons are refreshed, and it may be sent back to a person (status needs-review, the decided value kept) while
   * a finding naming it is unseen; any other status puts it back as decided. Returns false when nothing changed
   * (the version is then not bumped).
   */
  updateFieldValidation(
    serial: string,
    fieldId: string,
    v: { value: unknown; status: FieldStatus; reasons: unknown[] },
    actor = 'validate',
  ): boolean {
    return this.db.transaction((): boolean => {
      const cur = this.field(serial, fieldId);
      if (!cur) throw new JobStoreError(`form ${serial} has no field ${fieldId}`);
      const decided = cur.verifiedBy !== null;
      const decidedStatus: FieldStatus = v.status === 'needs-review' ? 'needs-review' : cur.value === null ? 'blank' : 'verified';
      const next = decided
        ? { value: cur.value, status: decidedStatus, reasons: v.reasons }
        : { value: v.status === 'blank' ? null : v.value ?? null, status: v.status, reasons: v.reasons };
      if (json(next.value) === json(cur.value) && next.status === cur.status && json(next.reasons) === json(cur.reasons)) {
        return false;
      }
      this.db
        .prepare(
          `UPDATE fields SET value_json = ?, status = ?, reasons_json = ?, version = version + 1 WHERE serial = ? AND field_id = ?`,
        )
        .run(next.value === null ? null : json(next.value), next.status, json(next.reasons), serial, fieldId);
      this.audit(this.now(), actor, serial, fieldId, 'validate', fieldSnapshot(cur), { ...next, version: cur.version + 1 });
      return true;
    })();
  }

  setRecordStatus(serial: string, status: RecordStatus, findings: unknown[], actor = 'validate'): void {
    if (status === 'exported') throw new JobStoreError('only a committed batch marks a record exported');
    this.db.transaction(() => {
      const cur = this.record(serial);
      if (!cur) throw new JobStoreError(`no form ${serial}`);
      if (cur.status === 'exported') throw new JobStoreError(`form ${serial} is already exported`);
      if (cur.status === status && json(cur.findings) === json(findings)) return;
      this.db
        .prepare('UPDATE records SET status = ?, findings_json = ?, updated_at = ? WHERE serial = ?')
        .run(status, json(findings), this.now(), serial);
      this.audit(this.now(), actor, serial, null, 'record-status', { status: cur.status, findings: cur.findings }, { status, findings });
    })();
  }

  /**
   * A reviewer's decision on one field. Fails with VersionConflictError when the field changed since the reviewer
   * saw it. A decision on a 'ready' record sends it back to 'needs-review' until validate looks again.
   */
  applyDecision(d: {
    serial: string;
    fieldId: string;
    reviewer: string;
    action: DecisionAction;
    value?: unknown;
    expectedVersion: number;
    note?: string;
  }): FieldRow {
    if (MACHINE_ACTORS.includes(d.reviewer as (typeof MACHINE_ACTORS)[number]) || !d.reviewer.trim()) {
      throw new JobStoreError(`not a reviewer id: ${JSON.stringify(d.reviewer)}`);
    }
    return this.db.transaction((): FieldRow => {
      const cur = this.field(d.serial, d.fieldId);
      if (!cur) throw new JobStoreError(`form ${d.serial} has no field ${d.fieldId}`);
      const recStatus = this.recordStatus(d.serial);
      if (recStatus === 'exported') throw new JobStoreError(`form ${d.serial} is already exported`);
      if (cur.version !== d.expectedVersion) throw new VersionConflictError(d.serial, d.fieldId, d.expectedVersion, cur.version);
      let value: unknown;
      let status: FieldStatus;
      let reasons: unknown[] = [];
      switch (d.action) {
        case 'verify':
          value = d.value === undefined ? cur.value : d.value;
          if (value === null || value === undefined) throw new JobStoreError('nothing to verify: the field has no value');
          status = 'verified';
          break;
        case 'correct':
          if (d.value === undefined || d.value === null) throw new JobStoreError('a correction needs a value');
          value = d.value;
          status = 'verified';
          break;
        case 'blank':
          value = null;
          status = 'blank';
          break;
        case 'illegible':
          // Nothing is better than a guess: the value is left out and the reason kept for the record's findings.
          value = null;
          status = 'blank';
          reasons = [{ code: 'illegible', message: 'A reviewer could not read this value on the paper form.' }];
          break;
      }
      const at = this.now();
      this.db
        .prepare(
          `UPDATE fields SET value_json = ?, status = ?, reasons_json = ?, verified_by = ?, verified_at = ?, version = version + 1
           WHERE serial = ? AND field_id = ?`,
        )
        .run(value === null ? null : json(value), status, json(reasons), d.reviewer, at, d.serial, d.fieldId);
      const after = this.field(d.serial, d.fieldId)!;
      this.audit(at, d.reviewer, d.serial, d.fieldId, `review-${d.action}`, fieldSnapshot(cur), fieldSnapshot(after), d.note ?? null);
      if (recStatus === 'ready') {
        this.db.prepare(`UPDATE records SET status = 'needs-review', updated_at = ? WHERE serial = ?`).run(at, d.serial);
        this.audit(at, d.reviewer, d.serial, null, 'record-status', { status: 'ready' }, { status: 'needs-review' }, 'changed after validation');
      }
      return after;
    })();
  }

  auditOf(serial: string): AuditRow[] {
    return (this.db.prepare('SELECT * FROM audit WHERE serial = ? ORDER BY id').all(serial) as any[]).map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      serial: r.serial,
      fieldId: r.field_id,
      action: r.action,
      before: parse(r.before_json),
      after: parse(r.after_json),
      note: r.note,
    }));
  }

  /**
   * The record as a plain object, built from the fields' current values (value_json) at their paths, with formSerial.
   * Fields without a value (blank, not yet normalised) are left out. Gaps in arrays of objects become {}.
   */
  recordObject(serial: string, opts: { statuses?: FieldStatus[] } = {}): Record<string, unknown> {
    if (!this.record(serial)) throw new JobStoreError(`no form ${serial}`);
    const rows = this.db
      .prepare('SELECT path, value_json, status FROM fields WHERE serial = ? AND value_json IS NOT NULL ORDER BY id')
      .all(serial) as { path: string; value_json: string; status: FieldStatus }[];
    return recordFromValues(
      serial,
      rows.filter((r) => !opts.statuses || opts.statuses.includes(r.status)).map((r) => [r.path, JSON.parse(r.value_json)] as [string, unknown]),
    );
  }

  /** Reviewer ids who decided a value in this record, sorted. */
  recordReviewers(serial: string): string[] {
    return this.db
      .prepare('SELECT DISTINCT verified_by FROM fields WHERE serial = ? AND verified_by IS NOT NULL ORDER BY verified_by')
      .pluck()
      .all(serial) as string[];
  }

  // ---- batches

  /** Serials of records ready to export that are in no batch yet, in serial order. */
  readyUnexported(): string[] {
    return this.db
      .prepare(
        `SELECT serial FROM records r WHERE status = 'ready'
         AND NOT EXISTS (SELECT 1 FROM batch_records b WHERE b.serial = r.serial) ORDER BY ${SERIAL_ORDER}`,
      )
      .pluck()
      .all() as string[];
  }

  nextBatchSeq(): number {
    return ((this.db.prepare('SELECT max(seq) AS m FROM batches').get() as { m: number | null }).m ?? 0) + 1;
  }

  /** Record the batch and mark its records exported, in one transaction. Every record must still be 'ready'. */
  commitBatch(batchId: string, serials: string[], meta: BatchMeta): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO batches(id, seq, created_at, formats, record_count, out_dir, manifest_sha256, settings_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(batchId, meta.seq, meta.createdAt, meta.formats.join(','), serials.length, meta.outDir, meta.manifestSha256, json(meta.settings ?? {}));
      const insMember = this.db.prepare('INSERT INTO batch_records(batch_id, serial) VALUES (?, ?)');
      const mark = this.db.prepare(`UPDATE records SET status = 'exported', updated_at = ? WHERE serial = ? AND status = 'ready'`);
      const at = this.now();
      for (const s of serials) {
        if (mark.run(at, s).changes !== 1) throw new JobStoreError(`form ${s} is not ready to export`);
        insMember.run(batchId, s);
        this.audit(at, 'export', s, null, 'exported', { status: 'ready' }, { status: 'exported', batch: batchId });
      }
    })();
  }

  batch(id: string): BatchRow | undefined {
    const r = this.db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as any;
    return r ? toBatch(r) : undefined;
  }

  batches(): BatchRow[] {
    return (this.db.prepare('SELECT * FROM batches ORDER BY seq').all() as any[]).map(toBatch);
  }

  batchRecords(id: string): string[] {
    return this.db
      .prepare(`SELECT serial FROM batch_records WHERE batch_id = ? ORDER BY ${SERIAL_ORDER}`)
      .pluck()
      .all(id) as string[];
  }

  // ---- review (claims, keyings, activity)

  /** The store's clock (ISO 8601), so callers compare times the way the store writes them. */
  nowIso(): string {
    return this.now();
  }

  /** Run fn in a BEGIN IMMEDIATE transaction: the write lock is taken first, so a read-then-claim is atomic across processes. */
  inImmediateTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Fields a person must look at, in records not yet exported, form by form in serial order. */
  reviewableFields(): FieldRow[] {
    return (
      this.db
        .prepare(
          `SELECT f.* FROM fields f JOIN records r ON r.serial = f.serial
           WHERE f.status = 'needs-review' AND r.status <> 'exported'
           ORDER BY CAST(f.serial AS INTEGER), f.serial, f.id`,
        )
        .all() as any[]
    ).map(toField);
  }

  /** Unexpired claims at time `at`. */
  activeClaims(at: string): ReviewClaim[] {
    return (this.db.prepare('SELECT * FROM review_claims WHERE expires_at > ? ORDER BY serial, field_id').all(at) as any[]).map(toClaim);
  }

  /**
   * Claim one field for a reviewer until expiresAt. Succeeds when the field is free, its claim has expired, or the
   * reviewer already holds it (the lease is renewed). Returns false when another reviewer holds it.
   */
  claimField(serial: string, fieldId: string, reviewer: string, at: string, expiresAt: string): boolean {
    const info = this.db
      .prepare(
        `INSERT INTO review_claims(serial, field_id, reviewer, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(serial, field_id) DO UPDATE SET reviewer = excluded.reviewer, claimed_at = excluded.claimed_at,
           expires_at = excluded.expires_at
         WHERE review_claims.reviewer = excluded.reviewer OR review_claims.expires_at <= excluded.claimed_at`,
      )
      .run(serial, fieldId, reviewer, at, expiresAt);
    return info.changes === 1;
  }

  /** Who holds an unexpired claim on the field at time `at`, if anyone. */
  claimHolder(serial: string, fieldId: string, at: string): string | undefined {
    const r = this.db
      .prepare('SELECT reviewer FROM review_claims WHERE serial = ? AND field_id = ? AND expires_at > ?')
      .get(serial, fieldId, at) as { reviewer: string } | undefined;
    return r?.reviewer;
  }

  /** Drop a reviewer's claims: all of them, or those on the given fields. */
  releaseClaims(reviewer: string, fields?: { serial: string; fieldId: string }[]): number {
    if (!fields) return this.db.prepare('DELETE FROM review_claims WHERE reviewer = ?').run(reviewer).changes;
    const del = this.db.prepare('DELETE FROM review_claims WHERE reviewer = ? AND serial = ? AND field_id = ?');
    return this.db.transaction(() => fields.reduce((n, f) => n + del.run(reviewer, f.serial, f.fieldId).changes, 0))();
  }

  /** One independent keying of a double-keyed field, with its audit entry, in one transaction. */
  addKeying(k: { serial: string; fieldId: string; reviewer: string; action: KeyingAction; value: unknown; fieldVersion: number; note?: string }): KeyingRow {
    if (MACHINE_ACTORS.includes(k.reviewer as (typeof MACHINE_ACTORS)[number]) || !k.reviewer.trim()) {
      throw new JobStoreError(`not a reviewer id: ${JSON.stringify(k.reviewer)}`);
    }
    return this.db.transaction((): KeyingRow => {
      const at = this.now();
      const info = this.db
        .prepare(
          `INSERT INTO review_keyings(at, serial, field_id, reviewer, action, value_json, field_version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(at, k.serial, k.fieldId, k.reviewer, k.action, k.value === null || k.value === undefined ? null : json(k.value), k.fieldVersion);
      this.audit(at, k.reviewer, k.serial, k.fieldId, `review-key-${k.action}`, null, { value: k.value ?? null }, k.note ?? null);
      return this.keyingsOf(k.serial, k.fieldId).find((r) => r.id === Number(info.lastInsertRowid))!;
    })();
  }

  /** Keyings of one field, oldest first. */
  keyingsOf(serial: string, fieldId: string): KeyingRow[] {
    return (this.db.prepare('SELECT * FROM review_keyings WHERE serial = ? AND field_id = ? ORDER BY id').all(serial, fieldId) as any[]).map(toKeying);
  }

  /** How many fields a reviewer has decided or keyed since `since` (ISO time); a keying and its decision count once. */
  reviewerActionCount(reviewer: string, since: string): number {
    return (
      this.db
        .prepare(
          `SELECT count(DISTINCT serial || '/' || field_id) AS n FROM audit
           WHERE actor = ? AND at >= ? AND action LIKE 'review-%' AND field_id IS NOT NULL`,
        )
        .get(reviewer, since) as { n: number }
    ).n;
  }

  /** Audit entries per record: count, and the people (not machine stages) who acted on it. */
  auditSummary(): { serial: string; entries: number; reviewers: number; lastAt: string }[] {
    const machine = MACHINE_ACTORS.map((a) => `'${a}'`).join(', ');
    return this.db
      .prepare(
        `SELECT serial, count(*) AS entries, count(DISTINCT CASE WHEN actor NOT IN (${machine}) THEN actor END) AS reviewers,
           max(at) AS lastAt FROM audit GROUP BY serial ORDER BY ${SERIAL_ORDER}`,
      )
      .all() as { serial: string; entries: number; reviewers: number; lastAt: string }[];
  }

  /** A field by its row id (the review page names fields by row id). */
  fieldById(id: number): FieldRow | undefined {
    const r = this.db.prepare('SELECT * FROM fields WHERE id = ?').get(id) as any;
    return r ? toField(r) : undefined;
  }

  // ---- internals

  private audit(at: string, actor: string, serial: string, fieldId: string | null, action: string, before: unknown, after: unknown, note: string | null = null): void {
    appendAudit(this.db, { at, actor, serial, fieldId, action, before, after, note });
  }
}

const RECORD_SELECT = `SELECT r.*, (SELECT count(*) FROM pages p WHERE p.serial = r.serial AND p.state = 'read') AS pages_read FROM records r`;

function fieldSnapshot(f: FieldRow): Record<string, unknown> {
  return { value: f.value, status: f.status, reasons: f.reasons, version: f.version };
}

function toRecord(r: any): RecordRow {
  return {
    serial: r.serial,
    templateId: r.template_id,
    templateVersion: r.template_version,
    pagesExpected: r.pages_expected,
    pagesRead: r.pages_read,
    status: r.status,
    findings: JSON.parse(r.findings_json),
    updatedAt: r.updated_at,
  };
}

function toField(r: any): FieldRow {
  return {
    id: r.id,
    serial: r.serial,
    fieldId: r.field_id,
    pageId: r.page_id,
    type: r.type,
    path: r.path,
    rawText: r.raw_text,
    read: JSON.parse(r.read_json),
    confidence: r.confidence,
    value: parse(r.value_json),
    status: r.status,
    reasons: JSON.parse(r.reasons_json),
    cropPath: r.crop_path,
    alternatives: parse(r.alternatives_json),
    verifiedBy: r.verified_by,
    verifiedAt: r.verified_at,
    version: r.version,
  };
}

function toClaim(r: any): ReviewClaim {
  return { serial: r.serial, fieldId: r.field_id, reviewer: r.reviewer, claimedAt: r.claimed_at, expiresAt: r.expires_at };
}

function toKeying(r: any): KeyingRow {
  return {
    id: r.id,
    at: r.at,
    serial: r.serial,
    fieldId: r.field_id,
    reviewer: r.reviewer,
    action: r.action,
    value: parse(r.value_json),
    fieldVersion: r.field_version,
  };
}

function toBatch(r: any): BatchRow {
  return {
    id: r.id,
    seq: r.seq,
    createdAt: r.created_at,
    formats: r.formats.split(',').filter(Boolean),
    recordCount: r.record_count,
    outDir: r.out_dir,
    manifestSha256: r.manifest_sha256,
    settings: JSON.parse(r.settings_json),
  };
}
