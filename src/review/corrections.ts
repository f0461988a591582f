// The offline round trip: export the review queue as a corrections CSV, and apply the filled-in file back. Every
// row is checked and problems are reported by line; the rows that pass are applied in ONE transaction (each with
// its audit entry), then the records they touch are re-validated in the same transaction: nothing half-applied.
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvText } from '../export/csv-cell.ts';
import { writePrivateFileAtomic } from '../job/fs-safe.ts';
import { validateRecord } from '../job/validate.ts';
import type { ReviewContext } from './context.ts';
import { decide, type ReviewAction } from './decide.ts';
import { guessText, parseTyped } from './input.ts';
import { stageFor, toQueueItem } from './queue.ts';

export const CORRECTIONS_HEADER = [
  'item_id',
  'serial',
  'field_id',
  'label',
  'guess',
  'reason',
  'crop_path',
  'field_version',
  'double_key',
  'decision',
  'value',
] as const;

const DECISIONS = ['accept', 'correct', 'blank', 'illegible'] as const;
const FORMULA_START = /^[=+\-@\t\r]/;
// The export writes formula-like text as '=..., so the apostrophe that neutralised it is taken off again.
const unNeutralise = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

export interface ExportSummary {
  rows: number;
  forms: number;
  file: string;
}

/** Write the whole queue (every field needing a person) to a CSV, mode 0600. */
export function exportCorrections(ctx: ReviewContext, outFile: string): ExportSummary {
  const rows: unknown[][] = [];
  const forms = new Set<string>();
  for (const row of ctx.store.reviewableFields()) {
    const field = ctx.fields.get(row.fieldId);
    if (!field) continue;
    // No reviewer yet: the stage is what the next person to key it would see (a blind step shows no guess).
    const stage = stageFor(ctx, row, '') ?? 'single';
    const item = toQueueItem(ctx, row, field, stage);
    forms.add(row.serial);
    rows.push([
      row.id,
      row.serial,
      row.fieldId,
      field.label,
      item.guess,
      item.reasons.join(' '),
      row.cropPath ? resolve(ctx.store.dir, row.cropPath) : '',
      row.version,
      stage === 'single' ? '' : stage,
      '',
      '',
    ]);
  }
  writePrivateFileAtomic(outFile, csvText([...CORRECTIONS_HEADER], rows));
  return { rows: rows.length, forms: forms.size, file: outFile };
}

export interface LineProblem {
  line: number;
  message: string;
}

export interface ApplyReport {
  rows: number;
  applied: number;
  /** Rows with no decision and no value: left for later. */
  skipped: number;
  problems: LineProblem[];
  /** A problem with the whole file (header, unparseable): nothing was applied. */
  fatal: LineProblem | null;
  recordsRevalidated: number;
}

interface Planned {
  line: number;
  serial: string;
  fieldId: string;
  action: ReviewAction;
  text?: string;
  version: number;
}

/** Physical line numbers (1-based) whose bytes are not valid UTF-8. */
export function nonUtf8Lines(buf: Uint8Array): Set<number> {
  const bad = new Set<number>();
  const dec = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 1;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x0a) {
      try {
        dec.decode(buf.subarray(start, i));
      } catch {
        bad.add(line);
      }
      start = i + 1;
      line++;
    }
  }
  return bad;
}

/** Check every row, then apply the ones that pass, all in one transaction. */
export function applyCorrections(ctx: ReviewContext, buf: Uint8Array, reviewer: string): ApplyReport {
  const report: ApplyReport = { rows: 0, applied: 0, skipped: 0, problems: [], fatal: null, recordsRevalidated: 0 };
  const bad = nonUtf8Lines(buf);
  const text = new TextDecoder('utf-8').decode(buf);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, bom: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    report.fatal = { line, message: `the file is not readable CSV: ${(e as Error).message}` };
    return report;
  }
  if (records.length === 0) {
    report.fatal = { line: 1, message: 'the file is empty' };
    return report;
  }
  const header = records[0]!.record;
  if (bad.has(1) || header.length !== CORRECTIONS_HEADER.length || header.some((h, i) => h.trim() !== CORRECTIONS_HEADER[i])) {
    report.fatal = { line: 1, message: `the header is not the one review export writes: ${CORRECTIONS_HEADER.join(',')}` };
    return report;
  }
  const col = Object.fromEntries(CORRECTIONS_HEADER.map((h, i) => [h, i])) as Record<(typeof CORRECTIONS_HEADER)[number], number>;

  const rows = records.slice(1).map((r, i) => ({
    cells: r.record,
    first: records[i]!.info.lines + 1,
    line: r.info.lines,
  }));
  report.rows = rows.length;
  const byItem = new Map<string, number[]>();
  for (const r of rows) {
    const id = (r.cells[col.item_id] ?? '').trim();
    byItem.set(id, [...(byItem.get(id) ?? []), r.line]);
  }

  return ctx.store.inImmediateTransaction((): ApplyReport => {
    const planned: Planned[] = [];
    const problem = (line: number, message: string) => report.problems.push({ line, message });
    for (const r of rows) {
      const badLine = [...bad].find((l) => l >= r.first && l <= r.line);
      if (badLine !== undefined) {
        problem(r.line, 'the row is not UTF-8 text (save the file as CSV UTF-8)');
        continue;
      }
      if (r.cells.length !== CORRECTIONS_HEADER.length) {
        problem(r.line, `expected ${CORRECTIONS_HEADER.length} cells, found ${r.cells.length}`);
        continue;
      }
      const formulaCol = r.cells.findIndex((c) => FORMULA_START.test(c));
      if (formulaCol >= 0) {
        problem(r.line, `the ${CORRECTIONS_HEADER[formulaCol]} cell starts with "${r.cells[formulaCol]![0]!.replace(/[\t\r]/, 'a control character')}": formulas are not accepted`);
        continue;
      }
      const get = (k: keyof typeof col) => (r.cells[col[k]] ?? '').trim();
      const decision = get('decision').toLowerCase();
      const value = unNeutralise(get('value'));
      if (decision === '' && value === '') {
        report.skipped++;
        continue;
      }
      const itemId = get('item_id');
      const dupes = byItem.get(itemId) ?? [];
      if (dupes.length > 1) {
        problem(r.line, `item ${itemId} appears more than once (lines ${dupes.join(', ')}); none of them is applied`);
        continue;
      }
      const serial = get('serial');
      const fieldId = get('field_id');
      const field = ctx.fields.get(fieldId);
      if (!field) {
        problem(r.line, `there is no field "${fieldId}" on this form`);
        continue;
      }
      if (!/^\d+$/.test(itemId)) {
        problem(r.line, `item_id "${itemId}" is not a number`);
        continue;
      }
      const row = ctx.store.fieldById(Number(itemId));
      if (!row) {
        problem(r.line, `there is no item ${itemId} in this job`);
        continue;
      }
      if (row.serial !== serial || row.fieldId !== fieldId) {
        problem(r.line, `item ${itemId} is not field ${fieldId} of form ${serial}`);
        continue;
      }
      const version = get('field_version');
      if (String(row.version) !== version || row.status !== 'needs-review') {
        problem(r.line, `the field changed since the export (version ${version}, now ${row.version}, ${row.status}); export again`);
        continue;
      }
      if (decision !== '' && !(DECISIONS as readonly string[]).includes(decision)) {
        problem(r.line, `decision "${decision}" is not one of ${DECISIONS.join(', ')} (or empty with a value)`);
        continue;
      }
      const stage = stageFor(ctx, row, reviewer);
      if (stage === null) {
        problem(r.line, 'you have keyed this double-keyed field already: another person must key it');
        continue;
      }
      let action: ReviewAction = 'enter';
      let typed: string | undefined;
      if (decision === 'blank' || decision === 'illegible') action = decision;
      else if (decision === 'accept') {
        if (stage === 'second' || stage === 'third') {
          problem(r.line, 'this field is double-keyed: type the value the form shows (decision correct)');
          continue;
        }
        typed = guessText(field, row.value, row.rawText);
      } else {
        if (value === '') {
          problem(r.line, 'decision correct needs a value');
          continue;
        }
        typed = value;
      }
      if (action === 'enter') {
        const p = parseTyped(field, typed ?? '');
        if (!p.ok) {
          problem(r.line, p.message);
          continue;
        }
      }
      planned.push({ line: r.line, serial, fieldId, action, text: typed, version: row.version });
    }

    const touched = new Set<string>();
    for (const p of planned) {
      const out = decide(
        ctx,
        { serial: p.serial, fieldId: p.fieldId, reviewer, action: p.action, text: p.text, expectedVersion: p.version, note: `corrections CSV line ${p.line}` },
        { revalidate: false },
      );
      // Every row was checked above in this same transaction, so a failure here is a fault: undo everything.
      if (!out.ok) throw new Error(`line ${p.line}: ${out.message}`);
      if (out.result === 'decided') touched.add(p.serial);
      report.applied++;
    }
    for (const serial of touched) validateRecord(ctx.store, ctx.template, ctx.thresholds, serial, ctx.today());
    report.recordsRevalidated = touched.size;
    report.problems.sort((a, b) => a.line - b.line);
    return report;
  });
}
