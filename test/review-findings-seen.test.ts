// No finding settled unseen: a correction that creates (or changes) a rule finding sends it back to a person before
// the record can be ready, even when every field the finding names is already verified; by the page and by the CSV.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { importStaffRoster } from '../src/job/roster-import.ts';
import { JobStore } from '../src/job/store.ts';
import { reviewContext, type ReviewContext } from '../src/review/context.ts';
import { applyCorrections, CORRECTIONS_HEADER, exportCorrections, formatApplyReport } from '../src/review/corrections.ts';
import { decide } from '../src/review/decide.ts';
import { guessText } from '../src/review/input.ts';
import { loadTemplate } from '../src/template/load.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

const obs1 = loadTemplate('standard-prf').fields.filter((f) => f.id.startsWith('obs1.')).map((f) => f.id);

/** Each kind of cross-field finding, the fields in the queue, and the correction that creates it (`roster`: with the
 * trust's staff list in the job, giving the form's clinician under the name the form gives). */
const CASES: { code: string; doubtful: string[]; fieldId: string; correction: { action: 'enter' | 'blank'; text?: string }; roster?: true }[] = [
  { code: 'times-out-of-order', doubtful: ['time.callreceived', 'time.mobilised'], fieldId: 'time.mobilised', correction: { action: 'enter', text: '11:10' } },
  { code: 'bp-diastolic-not-below-systolic', doubtful: ['obs1.sbp', 'obs1.dbp'], fieldId: 'obs1.dbp', correction: { action: 'enter', text: '140' } },
  { code: 'gcs-total-mismatch', doubtful: ['obs1.gcse', 'obs1.gcsv', 'obs1.gcsm', 'obs1.gcst'], fieldId: 'obs1.gcst', correction: { action: 'enter', text: '14' } },
  { code: 'news2-mismatch', doubtful: obs1, fieldId: 'obs1.rr', correction: { action: 'enter', text: '26' } },
  { code: 'drug-row-incomplete', doubtful: ['drug1.name', 'drug1.dose', 'drug1.route', 'drug1.time'], fieldId: 'drug1.dose', correction: { action: 'blank' } },
  { code: 'age-dob-mismatch', doubtful: ['patient.age', 'patient.dob'], fieldId: 'patient.age', correction: { action: 'enter', text: '40' } },
  { code: 'conveyed-no-destination', doubtful: ['outcome.conveyed', 'outcome.destination'], fieldId: 'outcome.conveyed', correction: { action: 'enter', text: 'Yes' } },
  { code: 'roster-mismatch', doubtful: ['clinician.name'], fieldId: 'clinician.name', correction: { action: 'enter', text: 'Q ZEPHYR' }, roster: true },
];

async function setUp(doubtful: string[], withRoster = false) {
  const job = await buildReviewJob({ forms: 1, doubtful });
  const store = JobStore.open(job.dir);
  if (withRoster) {
    const serial = job.serials[0]!;
    const value = (id: string) => String(store.records.field(serial, id)!.value);
    const file = join(job.dir, '..', 'staff.csv');
    writeFileSync(file, `StaffNumber,Name\n${value('clinician.staff')},${value('clinician.name')}\n`);
    await importStaffRoster(store, file);
    const { validateRecord, jobThresholds } = await import('../src/job/validate.ts');
    const template = loadTemplate('standard-prf');
    validateRecord(store, template, jobThresholds(job.dir, template).thresholds, serial, REVIEW_TODAY);
  }
  const ctx = reviewContext(store, { today: REVIEW_TODAY, doubleKeyPaths: [] });
  return { job, store, ctx, serial: job.serials[0]! };
}

const queued = (ctx: ReviewContext, serial: string) => ctx.store.records.recordFields(serial).filter((f) => f.status === 'needs-review');
const hasCode = (reasons: unknown[], code: string) => reasons.some((r) => (r as { code?: string }).code === code);

/** A person confirms every field of the form in the queue as it stands (what the page's confirm does). */
function confirmAll(ctx: ReviewContext, serial: string, reviewer: string, except?: string) {
  const next = () => queued(ctx, serial).find((f) => f.fieldId !== except);
  // One at a time, read afresh: each decision re-validates the form, which may refresh the others' reasons.
  for (let row = next(); row; row = next()) {
    const field = ctx.fields.get(row.fieldId)!;
    const text = guessText(field, row.value, row.rawText);
    const out = decide(ctx, { serial, fieldId: row.fieldId, reviewer, action: text ? 'enter' : 'blank', text, expectedVersion: row.version });
    expect(out.ok, `${row.fieldId}: ${out.ok ? '' : out.message}`).toBe(true);
  }
}

async function csvOf(ctx: ReviewContext, dir: string, fill: (r: Record<string, string>) => [string, string]): Promise<Buffer> {
  const file = join(dir, '..', `corrections-${Math.random().toString(36).slice(2)}.csv`);
  await exportCorrections(ctx, file);
  const rows = parse(readFileSync(file, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
  const q = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  const lines = rows.map((r) => {
    const [decision, value] = fill(r);
    return CORRECTIONS_HEADER.map((h) => (h === 'decision' ? decision : h === 'value' ? value : r[h]!)).map(q).join(',');
  });
  return Buffer.from([CORRECTIONS_HEADER.join(','), ...lines].join('\n'));
}

describe('no finding settled unseen', () => {
  for (const c of CASES) {
    it(`${c.code}: a correction on the page that creates it sends it back to a person before the record is ready`, async () => {
      const { store, ctx, serial } = await setUp(c.doubtful, c.roster);
      confirmAll(ctx, serial, 'dm.first', c.fieldId);
      const row = store.records.field(serial, c.fieldId)!;
      const out = decide(ctx, { serial, fieldId: c.fieldId, reviewer: 'dm.first', ...c.correction, expectedVersion: row.version });
      expect(out.ok).toBe(true);
      expect(store.records.record(serial)!.findings.map((f) => (f as { code: string }).code)).toContain(c.code);
      expect(store.records.record(serial)!.status).toBe('needs-review');
      const back = queued(ctx, serial);
      expect(back.length).toBeGreaterThan(0);
      for (const f of back) expect(hasCode(f.reasons, c.code), f.fieldId).toBe(true);
      // Someone looks at it (here another person) and confirms what the form says: now it may be ready.
      confirmAll(ctx, serial, 'dm.second');
      expect(store.records.record(serial)!.status).toBe('ready');
      store.close();
    });

    it(`${c.code}: the same by the corrections CSV`, async () => {
      const { store, ctx, serial, job } = await setUp(c.doubtful, c.roster);
      const text = c.correction.action === 'blank' ? ['blank', ''] : ['correct', c.correction.text!];
      const buf = await csvOf(ctx, job.dir, (r) => (r.field_id === c.fieldId ? (text as [string, string]) : r.guess === '' ? ['blank', ''] : ['accept', '']));
      const rep = applyCorrections(ctx, buf, 'dm.offline');
      expect(rep.problems, JSON.stringify(rep.problems)).toEqual([]);
      expect(store.records.record(serial)!.status).toBe('needs-review');
      const back = queued(ctx, serial);
      expect(back.length).toBeGreaterThan(0);
      for (const f of back) expect(hasCode(f.reasons, c.code), f.fieldId).toBe(true);
      if (back.some((f) => f.verifiedBy !== null)) expect(formatApplyReport(rep)).toMatch(/need a look again/);
      // The next export carries the finding as the reason; accepting it there is a person having seen it.
      const again = await csvOf(ctx, job.dir, (r) => (r.guess === '' ? ['blank', ''] : ['accept', '']));
      const rep2 = applyCorrections(ctx, again, 'dm.offline');
      expect(rep2.problems).toEqual([]);
      expect(rep2.applied).toBe(back.length);
      expect(store.records.record(serial)!.status).toBe('ready');
      store.close();
    });
  }

  it('a finding seen and confirmed stays settled; a later change to its recomputed value comes back', async () => {
    const { store, ctx, serial } = await setUp(['time.callreceived', 'time.mobilised']);
    confirmAll(ctx, serial, 'dm.first', 'time.mobilised');
    const row = store.records.field(serial, 'time.mobilised')!;
    decide(ctx, { serial, fieldId: 'time.mobilised', reviewer: 'dm.first', action: 'enter', text: '11:10', expectedVersion: row.version });
    confirmAll(ctx, serial, 'dm.first');
    expect(store.records.record(serial)!.status).toBe('ready');
    // Validate again: nothing changed, so it stays ready.
    const { validateRecord } = await import('../src/job/validate.ts');
    validateRecord(store, ctx.template, ctx.thresholds, serial, REVIEW_TODAY);
    expect(store.records.record(serial)!.status).toBe('ready');
    store.close();
  });
});
