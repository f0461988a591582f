// The offline round trip: export the review queue as a corrections CSV, and apply the filled-in file back. Every
// row is checked and problems are reported by line; the rows that pass are applied in ONE transaction (each with
// its audit entry), then the records they touch are re-validated in the same transaction: nothing half-applied.
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvText } from '../export/csv-cell.ts';
import { ensurePrivateDir, writePrivateFileAtomic } from '../job/fs-safe.ts';
import { validateRecord } from '../job/validate.ts';
import type { ReviewContext } from './context.ts';
import { fieldCrop } from './crops.ts';
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
// The columns apply reads; the others (label, guess, reason, crop path) are for the person and ignored.
const APPLIED_COLUMNS: ReadonlySet<string> = new Set(['item_id', 'serial', 'field_id', 'field_version', 'decision', 'value']);

export interface ExportSummary {
  rows: number;
  forms: number;
  file: string;
  /** The folder the crops were written to (null: none asked for), and how many. */
  cropsDir: string | null;
  crops: number;
}

/** The crops folder a CSV gets by default: beside it, named after it. */
export function defaultCropsDir(outFile: string): string {
  return outFile.replace(/\.csv$/i, '') + '-crops';
}

/**
 * Write the whole queue (every field needing a person) to a CSV, mode 0600. With cropsDir, each row's crop is cut
 * from its aligned page image into that folder (0700, files 0600) and the crop_path column names it.
 */
export async function exportCorrections(ctx: ReviewContext, outFile: string, opts: { cropsDir?: string | null } = {}): Promise<ExportSummary> {
  const rows: unknown[][] = [];
  const forms = new Set<string>();
  const cropsDir = opts.cropsDir ? resolve(opts.cropsDir) : null;
  if (cropsDir) ensurePrivateDir(cropsDir);
  let crops = 0;
  for (const row of ctx.store.review.reviewableFields()) {
    const field = ctx.fields.get(row.fieldId);
    if (!field) continue;
    // No reviewer yet: the stage is what the next person to key it would see (a blind step shows no guess).
    const stage = stageFor(ctx, row, '') ?? 'single';
    const item = toQueueItem(ctx, row, field, stage);
    forms.add(row.serial);
    let cropPath = '';
    if (cropsDir) {
      const png = await fieldCrop(ctx, row, 'field');
      if (png) {
        cropPath = join(cropsDir, `${row.serial}-${row.fieldId}.png`);
        writePrivateFileAtomic(cropPath, png);
        crops++;
      }
    }
    rows.push([
      row.id,
      row.serial,
      row.fieldId,
      field.label,
      item.guess,
      item.reasons.join(' '),
      cropPath,
      row.version,
      stage === 'single' ? '' : stage,
      '',
      '',
    ]);
  }
  writePrivateFileAtomic(outFile, csvText([...CORRECTIONS_HEADER], rows));
  return { rows: rows.length, forms: forms.size, file: outFile, cropsDir, crops };
}

export interface LineProblem {
  line: number;
  /** The form and field the row names, when it names them (never the value typed). */
  serial?: string;
  fieldId?: string;
  message: string;
}

export interface ApplyReport {
  rows: number;
  applied: number;
  /** Rows with no decision and no value: left for later. */
  skipped: number;
  /** The first MAX_LISTED_PROBLEMS problems, by line; problemCount says how many there were in all. */
  problems: LineProblem[];
  problemCount: number;
  /** Problems counted by kind, so a file with thousands of the same mistake is reported in a few lines. */
  problemKinds: Record<string, number>;
  /** A problem with the whole file (header, unparseable): nothing was applied. */
  fatal: LineProblem | null;
  recordsRevalidated: number;
  /** Decided fields sent back to a person because a correction created or changed a rule finding naming them. */
  sentBack: number;
}

/** A report lists this many problem lines; the rest are counted by kind. */
export const MAX_LISTED_PROBLEMS = 100;

interface Planned {
  line: number;
  serial: string;
  fieldId: string;
  action: ReviewAction;
  text?: string;
  version: number;
}

/** Physical line numbers (1-based) whose bytes are not valid UTF-8, in order. */
export function nonUtf8Lines(buf: Uint8Array): number[] {
  const bad: number[] = [];
  const dec = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 1;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || buf[i] === 0x0a) {
      try {
        dec.decode(buf.subarray(start, i));
      } catch {
        bad.push(line);
      }
      start = i + 1;
      line++;
    }
  }
  return bad;
}

/** The delimiter a spreadsheet saved with: a semicolon where the header has semicolons and no commas. */
export function csvDelimiter(text: string): ',' | ';' {
  const first = text.slice(0, Math.max(0, text.search(/\r?\n/)) || text.length);
  return first.includes(';') && !first.includes(',') ? ';' : ',';
}

// What a spreadsheet cell must not start with (after spaces, and after the apostrophe a spreadsheet hides).
const FORMULA_CELL = /^\s*'?\s*[=+\-@\t\r]/;

/** Check every row, then apply the ones that pass, all in one transaction. */
export function applyCorrections(ctx: ReviewContext, buf: Uint8Array, reviewer: string): ApplyReport {
  const report: ApplyReport = {
    rows: 0,
    applied: 0,
    skipped: 0,
    problems: [],
    problemCount: 0,
    problemKinds: {},
    fatal: null,
    recordsRevalidated: 0,
    sentBack: 0,
  };
  const bad = nonUtf8Lines(buf);
  const text = new TextDecoder('utf-8').decode(buf);
  let records: { record: string[]; info: { lines: number } }[];
  const delimiter = csvDelimiter(text);
  try {
    records = parse(text, { info: true, bom: true, delimiter, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    const code = (e as { code?: string }).code;
    report.fatal = { line, message: `the file is not readable CSV${code ? ` (${code.toLowerCase().replace(/^csv_/, '').replace(/_/g, ' ')})` : ''}` };
    return report;
  }
  if (records.length === 0) {
    report.fatal = { line: 1, message: 'the file is empty' };
    return report;
  }
  // A spreadsheet often saves a trailing empty column: drop it, on the header and on every row.
  const trailingEmpty = records[0]!.record.length === CORRECTIONS_HEADER.length + 1 && records[0]!.record.at(-1)!.trim() === '';
  if (trailingEmpty) for (const r of records) if (r.record.length === CORRECTIONS_HEADER.length + 1 && r.record.at(-1)!.trim() === '') r.record.pop();
  const header = records[0]!.record;
  if (bad[0] === 1 || header.length !== CORRECTIONS_HEADER.length || header.some((h, i) => h.trim() !== CORRECTIONS_HEADER[i])) {
    report.fatal = {
      line: 1,
      message: `the header is not the one review export writes (${CORRECTIONS_HEADER.length} columns, comma- or semicolon-separated): ${CORRECTIONS_HEADER.join(',')}`,
    };
    return report;
  }
  const col = Object.fromEntries(CORRECTIONS_HEADER.map((h, i) => [h, i])) as Record<(typeof CORRECTIONS_HEADER)[number], number>;

  const rows = records.slice(1).map((r, i) => ({
    cells: r.record,
    first: records[i]!.info.lines + 1,
    line: r.info.lines,
  }));
  report.rows = rows.length;
  // Repeats are counted with the first line, never listed: a file repeating one id 20,000 times stays small.
  const byItem = new Map<string, { count: number; first: number }>();
  for (const r of rows) {
    const id = (r.cells[col.item_id] ?? '').trim();
    const seen = byItem.get(id);
    if (seen) seen.count++;
    else byItem.set(id, { count: 1, first: r.line });
  }

  return ctx.store.inTransaction((): ApplyReport => {
    const planned: Planned[] = [];
    const problem = (kind: string, r: { line: number; cells: string[] }, message: string) => {
      report.problemCount++;
      report.problemKinds[kind] = (report.problemKinds[kind] ?? 0) + 1;
      if (report.problems.length >= MAX_LISTED_PROBLEMS) return;
      const name = (k: keyof typeof col) => {
        const v = (r.cells[col[k]] ?? '').trim();
        // Only ids are named: a serial is digits, a field id a template id; anything else is left out.
        return k === 'serial' ? (/^\d{1,9}$/.test(v) ? v : undefined) : ctx.fields.has(v) ? v : undefined;
      };
      report.problems.push({ line: r.line, serial: name('serial'), fieldId: name('field_id'), message });
    };
    let nextBad = 0;
    for (const r of rows) {
      while (nextBad < bad.length && bad[nextBad]! < r.first) nextBad++;
      if (nextBad < bad.length && bad[nextBad]! <= r.line) {
        problem('not-utf8', r, 'the row is not UTF-8 text (save the file as CSV UTF-8)');
        continue;
      }
      if (r.cells.length !== CORRECTIONS_HEADER.length) {
        problem('cell-count', r, `expected ${CORRECTIONS_HEADER.length} cells, found ${r.cells.length}`);
        continue;
      }
      const formulaCol = CORRECTIONS_HEADER.findIndex((h, i) => APPLIED_COLUMNS.has(h) && FORMULA_CELL.test(r.cells[i]!));
      if (formulaCol >= 0) {
        problem('formula', r, `the ${CORRECTIONS_HEADER[formulaCol]} cell starts like a formula (=, +, -, @): formulas are not accepted`);
        continue;
      }
      const get = (k: keyof typeof col) => (r.cells[col[k]] ?? '').trim();
      const decision = get('decision').toLowerCase();
      const value = get('value');
      if (decision === '' && value === '') {
        report.skipped++;
        continue;
      }
      const itemId = get('item_id');
      const repeats = byItem.get(itemId);
      if (repeats && repeats.count > 1) {
        const which = /^\d{1,12}$/.test(itemId) ? `item ${itemId}` : 'this item_id';
        problem('repeated-item', r, `${which} appears ${repeats.count} times (first on line ${repeats.first}); none of them is applied`);
        continue;
      }
      const serial = get('serial');
      const fieldId = get('field_id');
      const field = ctx.fields.get(fieldId);
      if (!field) {
        problem('no-such-field', r, 'the field_id is not a field of this form');
        continue;
      }
      if (!/^\d{1,12}$/.test(itemId)) {
        problem('bad-item-id', r, 'the item_id is not a number');
        continue;
      }
      const row = ctx.store.records.fieldById(Number(itemId));
      if (!row) {
        problem('no-such-item', r, `there is no item ${itemId} in this job`);
        continue;
      }
      if (row.serial !== serial || row.fieldId !== fieldId) {
        problem('item-mismatch', r, `item ${itemId} is not this field of this form`);
        continue;
      }
      const version = get('field_version');
      if (String(row.version) !== version || row.status !== 'needs-review') {
        problem('changed-since-export', r, `the field changed since the export (now version ${row.version}, ${row.status}); export again`);
        continue;
      }
      if (decision !== '' && !(DECISIONS as readonly string[]).includes(decision)) {
        problem('bad-decision', r, `the decision is not one of ${DECISIONS.join(', ')} (or empty with a value)`);
        continue;
      }
      const stage = stageFor(ctx, row, reviewer);
      if (stage === null) {
        problem('keyed-already', r, 'you have keyed this double-keyed field already: another person must key it');
        continue;
      }
      let action: ReviewAction = 'enter';
      let typed: string | undefined;
      if (decision === 'blank' || decision === 'illegible') action = decision;
      else if (decision === 'accept') {
        if (stage === 'second' || stage === 'third') {
          problem('double-key-accept', r, 'this field is double-keyed: type the value the form shows (decision correct)');
          continue;
        }
        typed = guessText(field, row.value, row.rawText);
      } else {
        if (value === '') {
          problem('no-value', r, 'decision correct needs a value');
          continue;
        }
        typed = value;
      }
      if (action === 'enter') {
        const p = parseTyped(field, typed ?? '', 'csv');
        if (!p.ok) {
          problem('invalid-value', r, p.message);
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
    for (const serial of touched) {
      validateRecord(ctx.store, ctx.template, ctx.thresholds, serial, ctx.today());
      report.sentBack += ctx.store.records.recordFields(serial).filter((f) => f.status === 'needs-review' && f.verifiedBy !== null).length;
    }
    report.recordsRevalidated = touched.size;
    report.problems.sort((a, b) => a.line - b.line);
    return report;
  });
}

/** The console report of an apply: counts, then at most MAX_LISTED_PROBLEMS problem lines, then counts by kind. */
export function formatApplyReport(r: ApplyReport): string {
  const where = (p: LineProblem) => [p.serial && `form ${p.serial}`, p.fieldId && `field ${p.fieldId}`].filter(Boolean).join(', ');
  const lines = [
    `Rows: ${r.rows}; applied ${r.applied}, left blank ${r.skipped}, with problems ${r.problemCount}. Forms checked again: ${r.recordsRevalidated}.`,
    ...r.problems.map((p) => `  line ${p.line}${where(p) ? ` (${where(p)})` : ''}: ${p.message}`),
  ];
  if (r.sentBack) {
    lines.push(`${r.sentBack} decided field(s) need a look again: a correction made a cross-field check disagree (export again to see them).`);
  }
  if (r.problemCount > r.problems.length) {
    const kinds = Object.entries(r.problemKinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push(`  ... and ${r.problemCount - r.problems.length} more problem(s). All problems by kind: ${kinds}.`);
  }
  return lines.join('\n') + '\n';
}
