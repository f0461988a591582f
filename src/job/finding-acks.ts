// The rule findings a person has seen, per record. A finding is identified by its code, the fields it names and
// its message (which carries the written and recomputed values), so a finding a correction changes is a new one.
// Table access over the store's shared connection; the callers hold the transaction.
import type { Database } from 'better-sqlite3';
import type { Finding } from '../record/findings.ts';

export function findingKey(f: Pick<Finding, 'code' | 'paths' | 'message'>): string {
  return `${f.code}|${[...f.paths].sort().join(',')}|${f.message}`;
}

/** Is this a record-level finding a person can see and settle (a rule across fields, not a field's own check)? */
export function isSettleable(f: unknown): f is Finding {
  if (!f || typeof f !== 'object') return false;
  const x = f as Partial<Finding>;
  return typeof x.code === 'string' && typeof x.message === 'string' && Array.isArray(x.paths) && x.paths.length > 0 && x.severity === 'review';
}

/** Record that a person saw these findings (shown as a field's reasons when they decided it). */
export function acknowledgeFindings(db: Database, serial: string, findings: readonly unknown[], reviewer: string, at: string): void {
  const ins = db.prepare('INSERT OR IGNORE INTO finding_acks (serial, finding_key, reviewer, at) VALUES (?, ?, ?, ?)');
  for (const f of findings) if (isSettleable(f)) ins.run(serial, findingKey(f), reviewer, at);
}

export function acknowledgedKeys(db: Database, serial: string): Set<string> {
  const rows = db.prepare('SELECT finding_key AS k FROM finding_acks WHERE serial = ?').all(serial) as { k: string }[];
  return new Set(rows.map((r) => r.k));
}
