// The audit trail is written by every stage (ocr reads, validate verdicts, review decisions, exports) and read by
// review and the audit command: one append over the shared connection, inside the caller's transaction.
import type { Database } from 'better-sqlite3';

/** Actor names the machine stages use in the audit; anything else is a reviewer id. */
export const MACHINE_ACTORS = ['ocr', 'validate', 'export'] as const;

export interface AuditEntry {
  at: string;
  actor: string;
  serial: string;
  fieldId: string | null;
  action: string;
  before: unknown;
  after: unknown;
  note?: string | null;
}

export function appendAudit(db: Database, e: AuditEntry): void {
  db.prepare(`INSERT INTO audit(at, actor, serial, field_id, action, before_json, after_json, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    e.at,
    e.actor,
    e.serial,
    e.fieldId,
    e.action,
    e.before === null ? null : JSON.stringify(e.before ?? null),
    e.after === null ? null : JSON.stringify(e.after ?? null),
    e.note ?? null,
  );
}
