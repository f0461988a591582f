// The records and fields tables: one record per form serial, its fields with what was read and the current best
// value. Validate writes verdicts here (never over a person's decision); review and export read. The scan stage
// creates records and fields with its pages (page-store.ts); a review decision is in review-store.ts.
import { recordFromValues } from '../record/paths.ts';
import { FIELD_STATUSES, RECORD_STATUSES } from './db-schema.ts';
import { appendAudit } from './audit-log.ts';
import { fromJson as parse, JobStoreError, SERIAL_ORDER, toJson as json, StageStore } from './store-core.ts';

export type RecordStatus = (typeof RECORD_STATUSES)[number];
export type FieldStatus = (typeof FIELD_STATUSES)[number];

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

export class RecordStore extends StageStore {
  /** A record's status alone (no page count). */
  recordStatus(serial: string): RecordStatus | undefined {
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
    return this.core.inTransaction((): boolean => {
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
      appendAudit(this.db, { at: this.core.nowIso(), actor, serial, fieldId, action: 'validate', before: fieldSnapshot(cur), after: { ...next, version: cur.version + 1 } });
      return true;
    });
  }

  setRecordStatus(serial: string, status: RecordStatus, findings: unknown[], actor = 'validate'): void {
    if (status === 'exported') throw new JobStoreError('only a committed batch marks a record exported');
    this.core.inTransaction(() => {
      const cur = this.record(serial);
      if (!cur) throw new JobStoreError(`no form ${serial}`);
      if (cur.status === 'exported') throw new JobStoreError(`form ${serial} is already exported`);
      if (cur.status === status && json(cur.findings) === json(findings)) return;
      this.db
        .prepare('UPDATE records SET status = ?, findings_json = ?, updated_at = ? WHERE serial = ?')
        .run(status, json(findings), this.core.nowIso(), serial);
      appendAudit(this.db, { at: this.core.nowIso(), actor, serial, fieldId: null, action: 'record-status', before: { status: cur.status, findings: cur.findings }, after: { status, findings } });
    });
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

  /** A field by its row id (the review page names fields by row id). */
  fieldById(id: number): FieldRow | undefined {
    const r = this.db.prepare('SELECT * FROM fields WHERE id = ?').get(id) as any;
    return r ? toField(r) : undefined;
  }
}

const RECORD_SELECT = `SELECT r.*, (SELECT count(*) FROM pages p WHERE p.serial = r.serial AND p.state = 'read') AS pages_read FROM records r`;

export function fieldSnapshot(f: FieldRow): Record<string, unknown> {
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

export function toField(r: any): FieldRow {
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
