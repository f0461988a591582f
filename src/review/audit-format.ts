// The audit of a record as a data manager reads it: every value of every field, from the OCR read through
// validation to each person's decision, in the order it happened. Pure formatting over audit rows.
import type { AuditRow } from './review-store.ts';

export interface FieldHistory {
  fieldId: string;
  events: AuditEvent[];
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  /** The value after this event, as stored (null: none). */
  value: unknown;
  status: string | null;
  note: string | null;
}

export interface RecordHistory {
  serial: string;
  fields: FieldHistory[];
  /** Record-level events: status changes, export. */
  record: AuditEvent[];
}

function valueOf(after: unknown, action: string): { value: unknown; status: string | null } {
  if (!after || typeof after !== 'object') return { value: null, status: null };
  const a = after as Record<string, unknown>;
  if (action === 'read') return { value: a.rawText ?? null, status: 'read' };
  if (action === 'record-status') return { value: null, status: typeof a.status === 'string' ? a.status : null };
  return { value: a.value ?? null, status: typeof a.status === 'string' ? a.status : null };
}

/** Group a record's audit rows by field, keeping each field's events in audit order. */
export function recordHistory(serial: string, rows: readonly AuditRow[]): RecordHistory {
  const fields = new Map<string, AuditEvent[]>();
  const record: AuditEvent[] = [];
  for (const r of rows) {
    const { value, status } = valueOf(r.after, r.action);
    const ev: AuditEvent = { id: r.id, at: r.at, actor: r.actor, action: r.action, value, status, note: r.note };
    if (r.fieldId === null) record.push(ev);
    else fields.set(r.fieldId, [...(fields.get(r.fieldId) ?? []), ev]);
  }
  return { serial, fields: [...fields.entries()].map(([fieldId, events]) => ({ fieldId, events })), record };
}

const ACTION_WORDS: Record<string, string> = {
  read: 'read by OCR',
  validate: 'checked',
  'review-verify': 'verified',
  'review-correct': 'corrected',
  'review-blank': 'marked blank on the form',
  'review-illegible': 'marked illegible',
  'review-key-key': 'keyed (double keying)',
  'review-key-blank': 'keyed as blank (double keying)',
  'review-key-illegible': 'keyed as illegible (double keying)',
  'record-status': 'form status',
  exported: 'exported',
};

function shown(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

/**
 * The history without any value: who did what to which field, and when. The default for `audit --record`,
 * because a console, a terminal log or a ticket it is pasted into is no place for names, birth dates or postcodes.
 */
export function withoutValues(h: RecordHistory): RecordHistory {
  const strip = (e: AuditEvent): AuditEvent => ({ ...e, value: null });
  return { ...h, fields: h.fields.map((f) => ({ ...f, events: f.events.map(strip) })), record: h.record.map(strip) };
}

/** Text lines for one record: a block per field, then the form's status changes. Values only when asked for. */
export function formatRecordHistory(
  h: RecordHistory,
  labels: ReadonlyMap<string, string> = new Map(),
  opts: { values?: boolean } = {},
): string {
  const lines = [
    `Form ${h.serial}: audit history (${h.fields.length} field(s), oldest first)` +
      (opts.values ? '' : '; values are left out (add --values to print them)'),
  ];
  for (const f of h.fields) {
    lines.push('', `${f.fieldId}${labels.has(f.fieldId) ? ` (${labels.get(f.fieldId)})` : ''}`);
    for (const e of f.events) {
      const what = ACTION_WORDS[e.action] ?? e.action;
      const status = e.status && e.action !== 'read' ? ` [${e.status}]` : '';
      const value = opts.values ? `: ${shown(e.value)}` : '';
      lines.push(`  ${e.at}  ${e.actor.padEnd(12)} ${what}${value}${status}${e.note ? `  (${e.note})` : ''}`);
    }
  }
  if (h.record.length) {
    lines.push('', 'Form status');
    for (const e of h.record) {
      lines.push(`  ${e.at}  ${e.actor.padEnd(12)} ${ACTION_WORDS[e.action] ?? e.action}: ${e.status ?? '—'}${e.note ? `  (${e.note})` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
