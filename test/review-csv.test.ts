import { describe, it, expect } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { applyCorrections, CORRECTIONS_HEADER, exportCorrections, formatApplyReport, MAX_LISTED_PROBLEMS } from '../src/review/corrections.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

async function exported(opts: Parameters<typeof buildReviewJob>[0]) {
  const job = await buildReviewJob(opts);
  const store = JobStore.open(job.dir);
  const ctx = reviewContext(store, { today: REVIEW_TODAY });
  const file = join(job.dir, '..', 'corrections.csv');
  const summary = await exportCorrections(ctx, file, { cropsDir: join(job.dir, '..', 'corrections-crops') });
  const text = readFileSync(file, 'utf8');
  const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
  return { job, store, ctx, file, summary, text, rows };
}

/** A CSV line from cells, quoted where needed. */
const line = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
const rowCells = (r: Record<string, string>, decision: string, value: string) =>
  CORRECTIONS_HEADER.map((h) => (h === 'decision' ? decision : h === 'value' ? value : r[h]!));

describe('review export', () => {
  it('writes the queue with ids, guess, reason, crop path and version, mode 0600, formulas neutralised', async () => {
    const { file, summary, text, rows, store } = await exported({
      forms: 2,
      doubtful: ['time.callreceived'],
      misreads: { 0: { 'clinical.complaint': '=HYPERLINK("http://x")' } },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(text.split('\r\n')[0]).toBe('\uFEFF' + CORRECTIONS_HEADER.join(','));
    expect(summary.rows).toBe(rows.length);
    expect(summary.forms).toBe(2);
    const t = rows.find((r) => r.field_id === 'time.callreceived')!;
    expect(t).toMatchObject({ guess: '11:23', decision: '', value: '' });
    expect(t.reason).toMatch(/below the 99% at which calibration found its readings safe/);
    // The crop is cut from the aligned page image on export (no crop files from the scan), 0600 in a 0700 folder.
    expect(t.crop_path).toMatch(/corrections-crops\/\d+-time\.callreceived\.png$/);
    expect(statSync(t.crop_path!).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(t.crop_path!)).mode & 0o777).toBe(0o700);
    expect(summary.crops).toBe(rows.length);
    expect(Number(t.field_version)).toBe(store.records.field(t.serial!, 'time.callreceived')!.version);
    const danger = rows.find((r) => r.field_id === 'clinical.complaint' && r.serial === store.records.listRecords()[0]!.serial)!;
    expect(danger.guess.startsWith("'=")).toBe(true);
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@]/);
    store.close();
  });
});

describe('review apply', () => {
  it('applies good rows in one go with audit, reports bad ones by line, and applies nothing from those', async () => {
    const { rows, store, ctx, job } = await exported({ forms: 2, doubtful: ['time.callreceived', 'obs1.pulse'] });
    const [s0, s1] = job.serials;
    const r = (serial: string, fieldId: string) => rows.find((x) => x.serial === serial && x.field_id === fieldId)!;
    const lines = [
      CORRECTIONS_HEADER.join(','),
      line(rowCells(r(s0!, 'time.callreceived'), 'correct', '11:24')), // 2 ok
      line(rowCells(r(s0!, 'obs1.pulse'), 'accept', '')), // 3 ok
      line(rowCells(r(s1!, 'time.callreceived'), '', '25:99')), // 4 invalid time
      line(rowCells(r(s1!, 'obs1.pulse'), 'correct', '=1+2')), // 5 formula
      line(rowCells(r(s0!, 'clinical.complaint'), 'correct', 'A')), // 6 duplicate of 7
      line(rowCells(r(s0!, 'clinical.complaint'), 'correct', 'B')), // 7 duplicate of 6
      line(rowCells({ ...r(s1!, 'clinical.pmh'), field_id: 'patient.shoesize' }, 'correct', '9')), // 8 no such field
      line(rowCells({ ...r(s1!, 'clinical.pmh'), item_id: '999999' }, 'correct', 'NIL')), // 9 unknown id
      line(rowCells({ ...r(s1!, 'clinical.medications'), field_version: '1' }, 'correct', 'NIL')), // 10 changed since export
      line(rowCells(r(s1!, 'clinical.complaint'), '', '')), // 11 left for later
      line(rowCells(r(s1!, 'patient.address'), 'blank', '')), // 12 ok
    ];
    const latin1 = Buffer.from(line(rowCells(r(s0!, 'clinical.medications'), 'correct', 'Caf\u00e9 fall')) + '\r\n', 'latin1'); // 13 not UTF-8
    const buf = Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n', 'utf8'), latin1]);
    const before = store.review.auditOf(s1!).length;
    const rep = applyCorrections(ctx, buf, 'dm.offline');
    expect(rep.fatal).toBeNull();
    expect(rep.rows).toBe(12);
    expect(rep.applied).toBe(3);
    expect(rep.skipped).toBe(1);
    const byLine = Object.fromEntries(rep.problems.map((p) => [p.line, p.message]));
    expect(Object.keys(byLine).map(Number)).toEqual([4, 5, 6, 7, 8, 9, 10, 13]);
    expect(byLine[4]).toMatch(/24-hour/);
    expect(byLine[4]).not.toMatch(/25|99/);
    expect(byLine[5]).toMatch(/formula/);
    expect(byLine[6]).toMatch(/appears 2 times \(first on line 6\)/);
    expect(byLine[8]).toMatch(/not a field of this form/);
    expect(byLine[9]).toMatch(/no item 999999/);
    expect(byLine[10]).toMatch(/changed since the export/);
    expect(byLine[13]).toMatch(/not UTF-8/);
    expect(store.records.field(s0!, 'time.callreceived')).toMatchObject({ value: '11:24', status: 'verified', verifiedBy: 'dm.offline' });
    expect(store.records.field(s0!, 'obs1.pulse')).toMatchObject({ status: 'verified', verifiedBy: 'dm.offline' });
    expect(store.records.field(s1!, 'patient.address')).toMatchObject({ status: 'blank', verifiedBy: 'dm.offline' });
    for (const id of ['time.callreceived', 'obs1.pulse', 'clinical.pmh', 'clinical.medications', 'clinical.complaint']) {
      expect(store.records.field(s1!, id)!.verifiedBy, id).toBeNull();
    }
    expect(store.records.field(s0!, 'clinical.complaint')!.verifiedBy).toBeNull();
    const audit = store.review.auditOf(s0!).filter((a) => a.actor === 'dm.offline');
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['review-correct', 'review-verify']));
    expect(audit.find((a) => a.action === 'review-correct')!.note).toBe('corrections CSV line 2');
    expect(rep.recordsRevalidated).toBe(2);
    expect(store.review.auditOf(s1!).length).toBeGreaterThan(before);
    store.close();
  });

  it('a wrong header, or a file that is not CSV, applies nothing', async () => {
    const { rows, store, ctx, job } = await exported({ forms: 1, doubtful: ['time.callreceived'] });
    const good = line(rowCells(rows.find((x) => x.field_id === 'time.callreceived')!, 'correct', '11:24'));
    const wrongHeader = Buffer.from(['item,serial,field,label,guess,reason,crop,version,double_key,decision,value', good].join('\n'));
    let rep = applyCorrections(ctx, wrongHeader, 'dm.offline');
    expect(rep.fatal).toMatchObject({ line: 1, message: expect.stringContaining('header') });
    expect(rep.applied).toBe(0);
    rep = applyCorrections(ctx, Buffer.from(CORRECTIONS_HEADER.join(',') + '\n' + good + '\n1,"unclosed\n'), 'dm.offline');
    expect(rep.fatal?.message).toMatch(/not readable CSV/);
    expect(store.records.field(job.serials[0]!, 'time.callreceived')!.verifiedBy).toBeNull();
    store.close();
  });

  it('nothing is half-applied: a fault while applying undoes every row', async () => {
    const { rows, store, ctx, job } = await exported({ forms: 1, doubtful: ['time.callreceived', 'obs1.pulse'] });
    const body = [
      CORRECTIONS_HEADER.join(','),
      line(rowCells(rows.find((x) => x.field_id === 'time.callreceived')!, 'correct', '11:24')),
      line(rowCells(rows.find((x) => x.field_id === 'obs1.pulse')!, 'accept', '')),
    ].join('\n');
    const auditBefore = store.review.auditOf(job.serials[0]!).length;
    const real = store.review.applyDecision.bind(store.review);
    let calls = 0;
    store.review.applyDecision = (d) => {
      if (++calls === 2) throw new Error('disk full (simulated)');
      return real(d);
    };
    expect(() => applyCorrections(ctx, Buffer.from(body), 'dm.offline')).toThrow(/simulated/);
    store.review.applyDecision = real;
    expect(store.records.field(job.serials[0]!, 'time.callreceived')!.verifiedBy).toBeNull();
    expect(store.review.auditOf(job.serials[0]!).length).toBe(auditBefore);
    store.close();
  });

  it('a file repeating one item 20,000 times is reported in a few bounded lines, without running out of memory', async () => {
    const { rows, store, ctx } = await exported({ forms: 1, doubtful: ['time.callreceived'] });
    const one = line(rowCells(rows.find((x) => x.field_id === 'time.callreceived')!, 'correct', '11:24'));
    const body = CORRECTIONS_HEADER.join(',') + '\n' + Array.from({ length: 20_000 }, () => one).join('\n') + '\n';
    const heapBefore = process.memoryUsage().heapUsed;
    const rep = applyCorrections(ctx, Buffer.from(body), 'dm.offline');
    expect(rep.applied).toBe(0);
    expect(rep.problemCount).toBe(20_000);
    expect(rep.problems.length).toBe(MAX_LISTED_PROBLEMS);
    expect(rep.problemKinds).toEqual({ 'repeated-item': 20_000 });
    expect(rep.problems[0]!.message).toMatch(/appears 20000 times \(first on line 2\)/);
    const out = formatApplyReport(rep);
    expect(out.length).toBeLessThan(20_000);
    expect(out).toMatch(/and 19900 more problem\(s\)\. All problems by kind: repeated-item 20000/);
    // Before the fix each row carried every duplicate's line number: 20,000 x 20,000 numbers.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    store.close();
  });

  it('problem lines name line, form and field but never the value typed, in the CSV\'s own words', async () => {
    const { rows, store, ctx, job } = await exported({ forms: 1, doubtful: ['patient.dob', 'patient.postcode', 'obs1.bm', 'patient.address'] });
    const r = (fieldId: string) => rows.find((x) => x.field_id === fieldId)!;
    const secretDob = '31021996';
    const secretPostcode = 'QQ9 9QQZ';
    const body = [
      CORRECTIONS_HEADER.join(','),
      line(rowCells(r('patient.postcode'), 'correct', secretPostcode)), // 2
      line(rowCells(r('obs1.bm'), 'correct', '53')), // 3: glucose without its point
      line(rowCells(r('patient.address'), 'correct', '?')), // 4 (address is free text: "?" is kept; not a problem)
      line(rowCells({ ...r('patient.dob'), decision: '' }, 'maybe', secretDob)), // 5 bad decision
    ].join('\n');
    const rep = applyCorrections(ctx, Buffer.from(body), 'dm.offline');
    const out = formatApplyReport(rep);
    const serial = job.serials[0]!;
    expect(out).toContain(`line 2 (form ${serial}, field patient.postcode): the value is not a valid UK postcode`);
    expect(out).toMatch(new RegExp(`line 3 \\(form ${serial}, field obs1.bm\\): Type the decimal point: is it 5.3 or 53.0\\?`));
    expect(out).toMatch(/line 5 \(form \d+, field patient.dob\): the decision is not one of/);
    for (const secret of [secretDob, secretPostcode, 'maybe', 'Alt+']) expect(out).not.toContain(secret);
    expect(store.records.field(serial, 'obs1.bm')!.verifiedBy).toBeNull();
    store.close();
  });

  it('accepts a semicolon-separated file and a trailing empty column, as spreadsheets save them', async () => {
    const { rows, store, ctx, job } = await exported({ forms: 1, doubtful: ['time.callreceived', 'obs1.pulse'] });
    const semi = (cells: string[]) => cells.join(';') + ';';
    const body = [
      semi([...CORRECTIONS_HEADER]),
      semi(rowCells(rows.find((x) => x.field_id === 'time.callreceived')!, 'correct', '11:24')),
      semi(rowCells(rows.find((x) => x.field_id === 'obs1.pulse')!, 'accept', '')),
    ].join('\r\n');
    const rep = applyCorrections(ctx, Buffer.from(body), 'dm.offline');
    expect(rep.fatal).toBeNull();
    expect(rep.problemCount).toBe(0);
    expect(rep.applied).toBe(2);
    expect(store.records.field(job.serials[0]!, 'time.callreceived')).toMatchObject({ value: '11:24', verifiedBy: 'dm.offline' });
    store.close();
  });

  it('refuses formula cells hidden behind a space or an apostrophe, and control characters in text', async () => {
    const { rows, store, ctx, job } = await exported({ forms: 1, doubtful: ['obs1.pulse', 'patient.surname'] });
    const hist = rows.filter((x) => x.field_id.startsWith('clinical.'));
    const body = [
      CORRECTIONS_HEADER.join(','),
      line(rowCells(rows.find((x) => x.field_id === 'obs1.pulse')!, 'correct', ' =1+1')), // 2
      line(rowCells(hist[0]!, 'correct', "'=already")), // 3
      line(rowCells(hist[1]!, 'correct', 'fall\u0007 at home')), // 4 BEL
      line(rowCells(hist[2]!, 'correct', 'fall\u001b[2J at home\u0000')), // 5 ESC, NUL
      line(rowCells(rows.find((x) => x.field_id === 'patient.surname')!, 'correct', 'WHITE9')), // 6
    ].join('\n');
    const rep = applyCorrections(ctx, Buffer.from(body), 'dm.offline');
    const byLine = Object.fromEntries(rep.problems.map((p) => [p.line, p.message]));
    expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 6]);
    expect(byLine[2]).toMatch(/formula/);
    expect(byLine[3]).toMatch(/formula/);
    expect(byLine[4]).toMatch(/not one this field can hold/);
    expect(byLine[6]).toMatch(/not one this field can hold/);
    expect(rep.applied).toBe(0);
    for (const x of [...hist.slice(0, 3), rows.find((y) => y.field_id === 'obs1.pulse')!]) {
      expect(store.records.field(job.serials[0]!, x.field_id)!.verifiedBy).toBeNull();
    }
    store.close();
  });
});
