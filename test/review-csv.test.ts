import { describe, it, expect } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { applyCorrections, CORRECTIONS_HEADER, exportCorrections } from '../src/review/corrections.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

async function exported(opts: Parameters<typeof buildReviewJob>[0]) {
  const job = await buildReviewJob(opts);
  const store = JobStore.open(job.dir);
  const ctx = reviewContext(store, { today: REVIEW_TODAY });
  const file = join(job.dir, '..', 'corrections.csv');
  const summary = exportCorrections(ctx, file);
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
    expect(t.reason).toMatch(/not sure enough/);
    expect(t.crop_path).toMatch(/crops\/\d+\/time\.callreceived\.png$/);
    expect(Number(t.field_version)).toBe(store.field(t.serial!, 'time.callreceived')!.version);
    const danger = rows.find((r) => r.field_id === 'clinical.complaint' && r.serial === store.listRecords()[0]!.serial)!;
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
      line(rowCells(r(s0!, 'clinical.history'), 'correct', 'A')), // 6 duplicate of 7
      line(rowCells(r(s0!, 'clinical.history'), 'correct', 'B')), // 7 duplicate of 6
      line(rowCells({ ...r(s1!, 'clinical.pmh'), field_id: 'patient.shoesize' }, 'correct', '9')), // 8 no such field
      line(rowCells({ ...r(s1!, 'clinical.pmh'), item_id: '999999' }, 'correct', 'NIL')), // 9 unknown id
      line(rowCells({ ...r(s1!, 'clinical.medications'), field_version: '1' }, 'correct', 'NIL')), // 10 changed since export
      line(rowCells(r(s1!, 'clinical.complaint'), '', '')), // 11 left for later
      line(rowCells(r(s1!, 'patient.address'), 'blank', '')), // 12 ok
    ];
    const latin1 = Buffer.from(line(rowCells(r(s1!, 'clinical.history'), 'correct', 'Caf\u00e9 fall')) + '\r\n', 'latin1'); // 13 not UTF-8
    const buf = Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n', 'utf8'), latin1]);
    const before = store.auditOf(s1!).length;
    const rep = applyCorrections(ctx, buf, 'dm.offline');
    expect(rep.fatal).toBeNull();
    expect(rep.rows).toBe(12);
    expect(rep.applied).toBe(3);
    expect(rep.skipped).toBe(1);
    const byLine = Object.fromEntries(rep.problems.map((p) => [p.line, p.message]));
    expect(Object.keys(byLine).map(Number)).toEqual([4, 5, 6, 7, 8, 9, 10, 13]);
    expect(byLine[4]).toMatch(/24-hour/);
    expect(byLine[5]).toMatch(/formula/);
    expect(byLine[6]).toMatch(/more than once/);
    expect(byLine[8]).toMatch(/no field "patient.shoesize"/);
    expect(byLine[9]).toMatch(/no item 999999/);
    expect(byLine[10]).toMatch(/changed since the export/);
    expect(byLine[13]).toMatch(/not UTF-8/);
    expect(store.field(s0!, 'time.callreceived')).toMatchObject({ value: '11:24', status: 'verified', verifiedBy: 'dm.offline' });
    expect(store.field(s0!, 'obs1.pulse')).toMatchObject({ status: 'verified', verifiedBy: 'dm.offline' });
    expect(store.field(s1!, 'patient.address')).toMatchObject({ status: 'blank', verifiedBy: 'dm.offline' });
    for (const id of ['time.callreceived', 'obs1.pulse', 'clinical.pmh', 'clinical.medications', 'clinical.history']) {
      expect(store.field(s1!, id)!.verifiedBy, id).toBeNull();
    }
    expect(store.field(s0!, 'clinical.history')!.verifiedBy).toBeNull();
    const audit = store.auditOf(s0!).filter((a) => a.actor === 'dm.offline');
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['review-correct', 'review-verify']));
    expect(audit.find((a) => a.action === 'review-correct')!.note).toBe('corrections CSV line 2');
    expect(rep.recordsRevalidated).toBe(2);
    expect(store.auditOf(s1!).length).toBeGreaterThan(before);
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
    expect(store.field(job.serials[0]!, 'time.callreceived')!.verifiedBy).toBeNull();
    store.close();
  });

  it('nothing is half-applied: a fault while applying undoes every row', async () => {
    const { rows, store, ctx, job } = await exported({ forms: 1, doubtful: ['time.callreceived', 'obs1.pulse'] });
    const body = [
      CORRECTIONS_HEADER.join(','),
      line(rowCells(rows.find((x) => x.field_id === 'time.callreceived')!, 'correct', '11:24')),
      line(rowCells(rows.find((x) => x.field_id === 'obs1.pulse')!, 'accept', '')),
    ].join('\n');
    const auditBefore = store.auditOf(job.serials[0]!).length;
    const real = store.applyDecision.bind(store);
    let calls = 0;
    store.applyDecision = (d) => {
      if (++calls === 2) throw new Error('disk full (simulated)');
      return real(d);
    };
    expect(() => applyCorrections(ctx, Buffer.from(body), 'dm.offline')).toThrow(/simulated/);
    store.applyDecision = real;
    expect(store.field(job.serials[0]!, 'time.callreceived')!.verifiedBy).toBeNull();
    expect(store.auditOf(job.serials[0]!).length).toBe(auditBefore);
    store.close();
  });
});
