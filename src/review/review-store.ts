// The review stage's tables: claims (who is looking at which field, on a lease), independent keyings of
// double-keyed fields, a reviewer's decisions on fields, and the audit trail read back (who did what, when).
// Over the store's shared connection; record and field reads go through the records store.
import { appendAudit, MACHINE_ACTORS, type AuditEntry } from '../job/audit-log.ts';
import { fieldSnapshot, toField, type FieldRow, type FieldStatus, type RecordStore } from '../job/record-store.ts';
import { fromJson as parse, JobStoreError, SERIAL_ORDER, toJson as json, toJsonOrNull, StageStore, type StoreCore } from '../job/store-core.ts';

export type DecisionAction = 'verify' | 'correct' | 'blank' | 'illegible';

/** An audit entry as stored: its row id, and its note (null when none). */
export interface AuditRow extends AuditEntry {
  id: number;
  note: string | null;
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

/** A decision or keying is a person's: a machine stage's actor name or an empty id is refused. */
function assertReviewer(reviewer: string): void {
  if (MACHINE_ACTORS.includes(reviewer as (typeof MACHINE_ACTORS)[number]) || !reviewer.trim()) {
    throw new JobStoreError(`not a reviewer id: ${JSON.stringify(reviewer)}`);
  }
}

/** A field's columns but its box alternatives (not fetched at all: the JSON is most of a comb field's row). */
const FIELD_COLUMNS_BUT_ALTERNATIVES = ['id', 'serial', 'field_id', 'page_id', 'type', 'path', 'raw_text', 'read_json', 'confidence', 'value_json', 'status', 'reasons_json', 'crop_path', 'verified_by', 'verified_at', 'version']
  .map((c) => `f.${c}`)
  .join(', ') + ', NULL AS alternatives_json';

export class ReviewStore extends StageStore {
  constructor(
    core: StoreCore,
    private readonly records: RecordStore,
  ) {
    super(core);
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
    assertReviewer(d.reviewer);
    return this.core.inTransaction((): FieldRow => {
      const cur = this.records.field(d.serial, d.fieldId);
      if (!cur) throw new JobStoreError(`form ${d.serial} has no field ${d.fieldId}`);
      const recStatus = this.records.recordStatus(d.serial);
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
      const at = this.core.nowIso();
      this.db
        .prepare(
          `UPDATE fields SET value_json = ?, status = ?, reasons_json = ?, verified_by = ?, verified_at = ?, version = version + 1
           WHERE serial = ? AND field_id = ?`,
        )
        .run(value === null ? null : json(value), status, json(reasons), d.reviewer, at, d.serial, d.fieldId);
      const after = this.records.field(d.serial, d.fieldId)!;
      appendAudit(this.db, { at, actor: d.reviewer, serial: d.serial, fieldId: d.fieldId, action: `review-${d.action}`, before: fieldSnapshot(cur), after: fieldSnapshot(after), note: d.note ?? null });
      if (recStatus === 'ready') {
        this.db.prepare(`UPDATE records SET status = 'needs-review', updated_at = ? WHERE serial = ?`).run(at, d.serial);
        appendAudit(this.db, { at, actor: d.reviewer, serial: d.serial, fieldId: null, action: 'record-status', before: { status: 'ready' }, after: { status: 'needs-review' }, note: 'changed after validation' });
      }
      return after;
    });
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
   * Fields a person must look at, in records not yet exported, form by form in serial order. Without
   * `alternatives` the box alternatives are left unread (null): parsing them is most of the cost of reading the
   * queue, and only the items put on a screen need them.
   */
  reviewableFields(opts: { alternatives?: boolean } = {}): FieldRow[] {
    const cols = opts.alternatives === false ? FIELD_COLUMNS_BUT_ALTERNATIVES : 'f.*';
    return (
      this.db
        .prepare(
          `SELECT ${cols} FROM fields f JOIN records r ON r.serial = f.serial
           WHERE f.status = 'needs-review' AND r.status <> 'exported'
           ORDER BY CAST(f.serial AS INTEGER), f.serial, f.id`,
        )
        .all() as any[]
    ).map(toField);
  }

  /**
   * The queue counted without reading its rows (each save answers with these, so they must stay cheap on a large
   * job): fields needing a person in records not yet exported, by template field, and the forms they are on.
   */
  reviewableCounts(): { byField: Map<string, number>; forms: number } {
    const from = `FROM fields f WHERE f.status = 'needs-review' AND f.serial NOT IN (SELECT serial FROM records WHERE status = 'exported')`;
    const rows = this.db.prepare(`SELECT f.field_id AS fieldId, count(*) AS n ${from} GROUP BY f.field_id`).all() as { fieldId: string; n: number }[];
    const forms = (this.db.prepare(`SELECT count(DISTINCT f.serial) AS n ${from}`).get() as { n: number }).n;
    return { byField: new Map(rows.map((r) => [r.fieldId, r.n])), forms };
  }

  /**
   * Queued fields at these (double-keyed) record paths, not yet decided, that this reviewer has keyed already: they
   * wait for another person's keying, so they are not this reviewer's to take.
   */
  keyedAwaitingOthers(reviewer: string, paths: readonly string[]): number {
    if (!paths.length) return 0;
    return (
      this.db
        .prepare(
          `SELECT count(*) AS n FROM fields f
           WHERE f.status = 'needs-review' AND f.serial NOT IN (SELECT serial FROM records WHERE status = 'exported') AND f.verified_by IS NULL
             AND f.path IN (${paths.map(() => '?').join(', ')})
             AND EXISTS (SELECT 1 FROM review_keyings k WHERE k.serial = f.serial AND k.field_id = f.field_id AND k.reviewer = ?)`,
        )
        .get(...paths, reviewer) as { n: number }
    ).n;
  }

  /**
   * The values people settled for one template field in this job (keyed, or the machine's confirmed), most often
   * settled first, then most recently: the job's own dictionary for suggestions while keying. Only this job's
   * fields, only this field, only a person's decisions (never a value the machine accepted by itself).
   */
  personValues(fieldId: string, limit: number): { value: unknown; n: number }[] {
    const machine = MACHINE_ACTORS.map(() => '?').join(', ');
    return (
      this.db
        .prepare(
          `SELECT value_json AS v, count(*) AS n, max(verified_at) AS last FROM fields
           WHERE status = 'verified' AND field_id = ? AND value_json IS NOT NULL AND verified_by NOT IN (${machine})
           GROUP BY value_json ORDER BY n DESC, last DESC, value_json LIMIT ?`,
        )
        .all(fieldId, ...MACHINE_ACTORS, limit) as { v: string; n: number }[]
    ).map((r) => ({ value: parse(r.v), n: r.n }));
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
    return this.core.inTransaction(() => fields.reduce((n, f) => n + del.run(reviewer, f.serial, f.fieldId).changes, 0));
  }

  /** One independent keying of a double-keyed field, with its audit entry, in one transaction. */
  addKeying(k: { serial: string; fieldId: string; reviewer: string; action: KeyingAction; value: unknown; fieldVersion: number; note?: string }): KeyingRow {
    assertReviewer(k.reviewer);
    return this.core.inTransaction((): KeyingRow => {
      const at = this.core.nowIso();
      const info = this.db
        .prepare(
          `INSERT INTO review_keyings(at, serial, field_id, reviewer, action, value_json, field_version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(at, k.serial, k.fieldId, k.reviewer, k.action, toJsonOrNull(k.value), k.fieldVersion);
      appendAudit(this.db, { at, actor: k.reviewer, serial: k.serial, fieldId: k.fieldId, action: `review-key-${k.action}`, before: null, after: { value: k.value ?? null }, note: k.note ?? null });
      return this.keyingsOf(k.serial, k.fieldId).find((r) => r.id === Number(info.lastInsertRowid))!;
    });
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
