// The job store: one SQLite file per job (WAL, foreign keys, busy timeout). Every state change is one transaction,
// so a crash leaves the job as it was before the change or after it, and a stage can simply be run again.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { recordFromValues } from '../record/paths.ts';
import {
  applySchema,
  FIELD_STATUSES,
  PAGE_STATES,
  RECORD_STATUSES,
  SCHEMA_VERSION,
  SOURCE_STATUSES,
} from './db-schema.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './fs-safe.ts';
import { checkJobFolder, JOB_SUBDIRS } from './job-folder.ts';

export type SourceStatus = (typeof SOURCE_STATUSES)[number];
export type PageState = (typeof PAGE_STATES)[number];
export type RecordStatus = (typeof RECORD_STATUSES)[number];
export type FieldStatus = (typeof FIELD_STATUSES)[number];
export type DecisionAction = 'verify' | 'correct' | 'blank' | 'illegible';

export const JOB_DB_FILE = 'job.sqlite';
export { JOB_SUBDIRS } from './job-folder.ts';
/** Actor names the machine stages use in the audit; anything else is a reviewer id. */
export const MACHINE_ACTORS = ['ocr', 'validate', 'export'] as const;

/** What the reader returned for one field. */
export interface FieldRead {
  fieldId: string;
  type: string;
  path: string;
  rawText: string;
  read: unknown;
  confidence: number | null;
  cropPath?: string;
  /** Comb fields read by the box classifier: each box's alternatives, best first. */
  alternatives?: unknown;
}

export interface SavePageInput {
  sourceId: number;
  pageIndex: number;
  state: PageState;
  reasonCode?: string;
  reason?: string;
  serial?: string;
  pageNo?: number;
  templateId?: string;
  templateVersion?: number;
  /** Pages the form has (from the template); needed for a read page, to create its record. */
  pagesExpected?: number;
  rotation: number;
  residualPx?: number;
  dpi?: number;
  imagePath?: string;
  thumbPath?: string;
  fields?: FieldRead[];
}

export interface SavedPage {
  pageId: number;
  /** The state stored: a read page for an already exported record is stored quarantined. */
  state: PageState;
  reasonCode: string | null;
}

export interface SourceRow {
  id: number;
  path: string;
  sha256: string;
  bytes: number;
  format: string;
  pageCount: number | null;
  status: SourceStatus;
  error: string | null;
  addedAt: string;
}

export interface PageRow {
  id: number;
  sourceId: number;
  pageIndex: number;
  state: PageState;
  reasonCode: string | null;
  reason: string | null;
  serial: string | null;
  pageNo: number | null;
  templateId: string | null;
  templateVersion: number | null;
  rotation: number;
  residualPx: number | null;
  dpi: number | null;
  imagePath: string | null;
  thumbPath: string | null;
  readAt: string;
}

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

export interface StatusCounts {
  sources: Record<SourceStatus, number>;
  pages: Record<PageState, number> & { total: number };
  quarantined: Record<string, number>;
  records: Record<RecordStatus, number>;
  /** True when every page is in exactly one state and every finished source has all its pages. */
  reconciles: boolean;
  /** Plain-English reasons when it does not reconcile (ids and counts only). */
  problems: string[];
}

export interface ResumeSource {
  id: number;
  path: string;
  sha256: string;
  /** Page indexes already saved: the scanner skips them. */
  savedPageIndexes: number[];
}

export interface SourcePageRef {
  sha256: string;
  pageIndex: number;
  pageNo: number;
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

export class JobStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobStoreError';
  }
}

const json = (v: unknown): string => JSON.stringify(v ?? null);
const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));
const zeroes = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;


export class JobStore {
  readonly db: Db;
  readonly dir: string;
  private readonly now: () => string;

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

  // ---- sources

  hasSource(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM sources WHERE sha256 = ?').get(sha256) !== undefined;
  }

  source(id: number): SourceRow | undefined {
    const r = this.db.prepare('SELECT * FROM sources WHERE id = ?').get(id) as any;
    return r ? toSource(r) : undefined;
  }

  sources(): SourceRow[] {
    return (this.db.prepare('SELECT * FROM sources ORDER BY id').all() as any[]).map(toSource);
  }

  beginSource(s: { path: string; sha256: string; bytes: number; format: string }): number {
    const info = this.db
      .prepare(`INSERT INTO sources(path, sha256, bytes, format, status, added_at) VALUES (?, ?, ?, ?, 'reading', ?)`)
      .run(s.path, s.sha256, s.bytes, s.format, this.now());
    return Number(info.lastInsertRowid);
  }

  finishSource(id: number, pageCount: number): void {
    this.db.transaction(() => {
      const saved = (this.db.prepare('SELECT count(*) AS n FROM pages WHERE source_id = ?').get(id) as { n: number }).n;
      if (saved !== pageCount) {
        throw new JobStoreError(`source ${id}: ${saved} pages saved but the file has ${pageCount}`);
      }
      const info = this.db
        .prepare(`UPDATE sources SET status = 'done', page_count = ?, error = NULL WHERE id = ?`)
        .run(pageCount, id);
      if (info.changes !== 1) throw new JobStoreError(`no source ${id}`);
    })();
  }

  failSource(id: number, error: string): void {
    const info = this.db.prepare(`UPDATE sources SET status = 'failed', error = ? WHERE id = ?`).run(error, id);
    if (info.changes !== 1) throw new JobStoreError(`no source ${id}`);
  }

  // ---- pages

  hasPage(serial: string, pageNo: number): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM pages WHERE serial = ? AND page_no = ? AND state = 'read'`).get(serial, pageNo) !==
      undefined
    );
  }

  /** One transaction: the page row, its record (created or touched) and its fields, each with an 'ocr' audit entry. */
  savePage(p: SavePageInput): SavedPage {
    return this.db.transaction((): SavedPage => {
      const at = this.now();
      let state = p.state;
      let reasonCode = p.reasonCode ?? null;
      let reason = p.reason ?? null;
      if (state === 'read') {
        if (p.serial === undefined || p.pageNo === undefined || p.templateId === undefined || p.templateVersion === undefined) {
          throw new JobStoreError('a read page needs serial, pageNo, templateId and templateVersion');
        }
        if (p.pagesExpected === undefined) throw new JobStoreError('a read page needs pagesExpected');
        const rec = this.recordStatus(p.serial);
        if (rec === 'exported') {
          // Never reopen an exported record: the extra page is kept, quarantined, for a person to look at.
          state = 'quarantined';
          reasonCode = 'record-already-exported';
          reason = 'This form was already exported; a late page cannot change it.';
        }
      } else if (!reasonCode) {
        throw new JobStoreError('a quarantined page needs a reason code');
      }
      const info = this.db
        .prepare(
          `INSERT INTO pages(source_id, page_index, state, reason_code, reason, serial, page_no, template_id,
             template_version, rotation, residual_px, dpi, image_path, thumb_path, read_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          p.sourceId,
          p.pageIndex,
          state,
          state === 'read' ? null : reasonCode,
          state === 'read' ? null : reason,
          p.serial ?? null,
          p.pageNo ?? null,
          p.templateId ?? null,
          p.templateVersion ?? null,
          p.rotation,
          p.residualPx ?? null,
          p.dpi ?? null,
          p.imagePath ?? null,
          p.thumbPath ?? null,
          at,
        );
      const pageId = Number(info.lastInsertRowid);
      if (state !== 'read') return { pageId, state, reasonCode };

      const serial = p.serial!;
      // A new page makes the record incomplete again until validate has looked at it.
      this.db
        .prepare(
          `INSERT INTO records(serial, template_id, template_version, pages_expected, status, findings_json, updated_at)
           VALUES (?, ?, ?, ?, 'incomplete', '[]', ?)
           ON CONFLICT(serial) DO UPDATE SET status = 'incomplete', updated_at = excluded.updated_at`,
        )
        .run(serial, p.templateId, p.templateVersion, p.pagesExpected, at);
      const rec = this.db.prepare('SELECT template_id, template_version FROM records WHERE serial = ?').get(serial) as {
        template_id: string;
        template_version: number;
      };
      if (rec.template_id !== p.templateId || rec.template_version !== p.templateVersion) {
        throw new JobStoreError(`form ${serial}: page template differs from the record's template`);
      }
      const insField = this.db.prepare(
        `INSERT INTO fields(serial, field_id, page_id, type, path, raw_text, read_json, confidence, crop_path, alternatives_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const f of p.fields ?? []) {
        insField.run(serial, f.fieldId, pageId, f.type, f.path, f.rawText, json(f.read), f.confidence, f.cropPath ?? null, f.alternatives === undefined ? null : json(f.alternatives));
        this.audit(at, 'ocr', serial, f.fieldId, 'read', null, { rawText: f.rawText, read: f.read, confidence: f.confidence });
      }
      return { pageId, state, reasonCode: null };
    })();
  }

  pagesOfSource(sourceId: number): PageRow[] {
    return (this.db.prepare('SELECT * FROM pages WHERE source_id = ? ORDER BY page_index').all(sourceId) as any[]).map(toPage);
  }

  pagesOfRecord(serial: string): PageRow[] {
    return (
      this.db.prepare(`SELECT * FROM pages WHERE serial = ? ORDER BY page_no, id`).all(serial) as any[]
    ).map(toPage);
  }

  /** Sources a crash left in 'reading', with the pages already saved, so the scanner can skip them. */
  resumeInfo(): ResumeSource[] {
    const srcs = this.db.prepare(`SELECT id, path, sha256 FROM sources WHERE status = 'reading' ORDER BY id`).all() as {
      id: number;
      path: string;
      sha256: string;
    }[];
    const idx = this.db.prepare('SELECT page_index FROM pages WHERE source_id = ? ORDER BY page_index').pluck();
    return srcs.map((s) => ({ ...s, savedPageIndexes: idx.all(s.id) as number[] }));
  }

  statusCounts(): StatusCounts {
    const sources = zeroes(SOURCE_STATUSES);
    for (const r of this.db.prepare('SELECT status, count(*) AS n FROM sources GROUP BY status').all() as any[]) {
      sources[r.status as SourceStatus] = r.n;
    }
    const pages = { ...zeroes(PAGE_STATES), total: 0 };
    for (const r of this.db.prepare('SELECT state, count(*) AS n FROM pages GROUP BY state').all() as any[]) {
      pages[r.state as PageState] = r.n;
    }
    pages.total = (this.db.prepare('SELECT count(*) AS n FROM pages').get() as { n: number }).n;
    const quarantined: Record<string, number> = {};
    for (const r of this.db
      .prepare(`SELECT reason_code, count(*) AS n FROM pages WHERE state = 'quarantined' GROUP BY reason_code ORDER BY reason_code`)
      .all() as any[]) {
      quarantined[r.reason_code] = r.n;
    }
    const records = zeroes(RECORD_STATUSES);
    for (const r of this.db.prepare('SELECT status, count(*) AS n FROM records GROUP BY status').all() as any[]) {
      records[r.status as RecordStatus] = r.n;
    }

    const problems: string[] = [];
    if (pages.read + pages.quarantined !== pages.total) {
      problems.push(`${pages.total - pages.read - pages.quarantined} pages are in no known state`);
    }
    const short = this.db
      .prepare(
        `SELECT s.id, s.page_count, count(p.id) AS n, coalesce(max(p.page_index), -1) AS hi FROM sources s
         LEFT JOIN pages p ON p.source_id = s.id WHERE s.status = 'done' GROUP BY s.id
         HAVING n <> s.page_count OR hi <> s.page_count - 1`,
      )
      .all() as { id: number; page_count: number; n: number }[];
    for (const s of short) problems.push(`source ${s.id}: ${s.n} pages stored, file has ${s.page_count}`);
    const orphans = (
      this.db
        .prepare(`SELECT count(*) AS n FROM pages p WHERE p.state = 'read' AND NOT EXISTS (SELECT 1 FROM records r WHERE r.serial = p.serial)`)
        .get() as { n: number }
    ).n;
    if (orphans) problems.push(`${orphans} read pages belong to no record`);
    const unbatched = (
      this.db
        .prepare(`SELECT count(*) AS n FROM records r WHERE r.status = 'exported' AND NOT EXISTS (SELECT 1 FROM batch_records b WHERE b.serial = r.serial)`)
        .get() as { n: number }
    ).n;
    if (unbatched) problems.push(`${unbatched} exported records are in no batch`);
    return { sources, pages, quarantined, records, reconciles: problems.length === 0, problems };
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

  /** Which scanned pages a record came from: source file hash and page index. */
  recordSourcePages(serial: string): SourcePageRef[] {
    return this.db
      .prepare(
        `SELECT s.sha256 AS sha256, p.page_index AS pageIndex, p.page_no AS pageNo FROM pages p
         JOIN sources s ON s.id = p.source_id WHERE p.serial = ? AND p.state = 'read' ORDER BY p.page_no`,
      )
      .all(serial) as SourcePageRef[];
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

  /** The read page image of a form page, if any. */
  pageOfRecord(serial: string, pageNo: number): PageRow | undefined {
    const r = this.db.prepare(`SELECT * FROM pages WHERE serial = ? AND page_no = ? AND state = 'read'`).get(serial, pageNo) as any;
    return r ? toPage(r) : undefined;
  }

  // ---- internals

  private audit(
    at: string,
    actor: string,
    serial: string,
    fieldId: string | null,
    action: string,
    before: unknown,
    after: unknown,
    note: string | null = null,
  ): void {
    this.db
      .prepare(
        `INSERT INTO audit(at, actor, serial, field_id, action, before_json, after_json, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(at, actor, serial, fieldId, action, before === null ? null : json(before), after === null ? null : json(after), note);
  }
}

// Serials are digit strings: order them as numbers, then as text for equal numbers with leading zeros.
const SERIAL_ORDER = 'CAST(serial AS INTEGER), serial';
const RECORD_SELECT = `SELECT r.*, (SELECT count(*) FROM pages p WHERE p.serial = r.serial AND p.state = 'read') AS pages_read FROM records r`;

function fieldSnapshot(f: FieldRow): Record<string, unknown> {
  return { value: f.value, status: f.status, reasons: f.reasons, version: f.version };
}

function toSource(r: any): SourceRow {
  return {
    id: r.id,
    path: r.path,
    sha256: r.sha256,
    bytes: r.bytes,
    format: r.format,
    pageCount: r.page_count,
    status: r.status,
    error: r.error,
    addedAt: r.added_at,
  };
}

function toPage(r: any): PageRow {
  return {
    id: r.id,
    sourceId: r.source_id,
    pageIndex: r.page_index,
    state: r.state,
    reasonCode: r.reason_code,
    reason: r.reason,
    serial: r.serial,
    pageNo: r.page_no,
    templateId: r.template_id,
    templateVersion: r.template_version,
    rotation: r.rotation,
    residualPx: r.residual_px,
    dpi: r.dpi,
    imagePath: r.image_path,
    thumbPath: r.thumb_path,
    readAt: r.read_at,
  };
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
