// Table access for the character view's box checks, over the store's shared connection; callers hold the
// transaction. A check says "this reviewer saw box n of this field at this version, and it holds this character".
import type { Database } from 'better-sqlite3';

export interface CharCheck {
  serial: string;
  fieldId: string;
  box: number;
  char: string;
  version: number;
}

export function saveCharCheck(db: Database, c: CharCheck, reviewer: string, at: string): void {
  db.prepare(
    `INSERT INTO char_checks (serial, field_id, box, reviewer, field_version, char, at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (serial, field_id, box, reviewer) DO UPDATE SET field_version = excluded.field_version, char = excluded.char, at = excluded.at`,
  ).run(c.serial, c.fieldId, c.box, reviewer, c.version, c.char, at);
}

/** This reviewer's checks, keyed `serial/fieldId`, each a map of box -> { char, version }. */
export function charChecksOf(db: Database, reviewer: string): Map<string, Map<number, { char: string; version: number }>> {
  const rows = db
    .prepare('SELECT serial, field_id AS fieldId, box, char, field_version AS version FROM char_checks WHERE reviewer = ?')
    .all(reviewer) as CharCheck[];
  const out = new Map<string, Map<number, { char: string; version: number }>>();
  for (const r of rows) {
    const key = `${r.serial}/${r.fieldId}`;
    let m = out.get(key);
    if (!m) out.set(key, (m = new Map()));
    m.set(r.box, { char: r.char, version: r.version });
  }
  return out;
}
