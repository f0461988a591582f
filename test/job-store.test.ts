// The job store on a real SQLite file: transactions, the append-only audit, the constraints that keep counts
// honest, optimistic concurrency for reviewers, and batches.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobStore } from '../src/job/store.ts';
import { VersionConflictError } from '../src/review/review-store.ts';
import { JobStoreError } from '../src/job/store-core.ts';
import type { FieldRead } from '../src/job/page-store.ts';
import { buildJobFixture, type JobFixture } from './helpers/job-fixture.ts';

const open: JobStore[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

function freshStore(): { dir: string; store: JobStore } {
  const dir = join(mkdtempSync(join(tmpdir(), 'prf-store-')), 'job');
  const store = JobStore.open(dir, { create: true, templateId: 'test-prf', templateVersion: 1 });
  open.push(store);
  return { dir, store };
}
function fixture(o: Parameters<typeof buildJobFixture>[0] = {}): JobFixture {
  const f = buildJobFixture(o);
  open.push(f.store);
  return f;
}

const SHA = (n: number) => n.toString(16).padStart(64, '0');
const field = (fieldId: string, path: string, rawText: string): FieldRead => ({ fieldId, type: 'digits', path, rawText, read: { text: rawText }, confidence: 88 });
const readPage = (sourceId: number, pageIndex: number, serial: string, pageNo: number, fields: FieldRead[] = []) => ({
  sourceId, pageIndex, state: 'read' as const, serial, pageNo, templateId: 'test-prf', templateVersion: 1, pagesExpected: 2, rotation: 0, fields,
});

describe('opening a job', () => {
  it('creates a private folder with job.sqlite (WAL, foreign keys) and pages/crops/thumbs', () => {
    const { dir, store } = freshStore();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'job.sqlite')).mode & 0o777).toBe(0o600);
    for (const sub of ['pages', 'crops', 'thumbs']) expect(statSync(join(dir, sub)).mode & 0o777).toBe(0o700);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.getMeta('template_id')).toBe('test-prf');
    expect(store.getMeta('job_id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.integrityCheck()).toEqual({ ok: true, problems: [] });
  });

  it('refuses a folder that is not a job unless asked to create one', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'prf-store-')), 'nothing');
    expect(() => JobStore.open(dir)).toThrow(JobStoreError);
    expect(existsSync(dir)).toBe(false);
  });

  it('reopens an existing job with its data', () => {
    const { dir, store } = freshStore();
    store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    store.close();
    const again = JobStore.open(dir);
    open.push(again);
    expect(again.pages.hasSource(SHA(1))).toBe(true);
    expect(again.pages.hasSource(SHA(2))).toBe(false);
  });
});

describe('sources and pages', () => {
  it('savePage writes page, record and fields with an ocr audit entry each, in one transaction', () => {
    const { store } = freshStore();
    const src = store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    store.pages.savePage(readPage(src, 0, '123', 1, [field('patient.nhs', 'patient.nhsNumber', '9990000018'), field('inc.no', 'incident.incidentNumber', '12345678')]));
    expect(store.records.record('123')).toMatchObject({ status: 'incomplete', pagesExpected: 2, pagesRead: 1 });
    expect(store.records.recordFields('123').map((f) => [f.fieldId, f.status, f.version])).toEqual([
      ['patient.nhs', 'unchecked', 1],
      ['inc.no', 'unchecked', 1],
    ]);
    expect(store.review.auditOf('123').map((a) => [a.actor, a.action, a.fieldId])).toEqual([
      ['ocr', 'read', 'patient.nhs'],
      ['ocr', 'read', 'inc.no'],
    ]);
    expect(store.pages.hasPage('123', 1)).toBe(true);
    expect(store.pages.hasPage('123', 2)).toBe(false);
  });

  it('a failing field insert rolls back the whole page (no page row, no record, no audit)', () => {
    const { store } = freshStore();
    const src = store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    const dup = field('same', 'patient.surname', 'X');
    expect(() => store.pages.savePage(readPage(src, 0, '55', 1, [dup, dup]))).toThrow();
    expect(store.pages.pagesOfSource(src)).toEqual([]);
    expect(store.records.record('55')).toBeUndefined();
    expect(store.review.auditOf('55')).toEqual([]);
  });

  it('a second read of the same form page is refused; quarantined as duplicate-page it is kept', () => {
    const { store } = freshStore();
    const src = store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    store.pages.savePage(readPage(src, 0, '77', 1));
    expect(() => store.pages.savePage(readPage(src, 1, '77', 1))).toThrow(/UNIQUE/);
    const dup = store.pages.savePage({ sourceId: src, pageIndex: 1, state: 'quarantined', reasonCode: 'duplicate-page', reason: 'second copy', serial: '77', pageNo: 1, rotation: 0 });
    expect(dup.state).toBe('quarantined');
    expect(() => store.pages.savePage({ sourceId: src, pageIndex: 2, state: 'quarantined', rotation: 0 })).toThrow(/reason/);
    store.pages.savePage({ sourceId: src, pageIndex: 2, state: 'quarantined', reasonCode: 'no-qr', rotation: 0 });
    store.pages.finishSource(src, 3);
    const c = store.statusCounts();
    expect(c.pages).toEqual({ read: 1, quarantined: 2, total: 3 });
    expect(c.quarantined).toEqual({ 'duplicate-page': 1, 'no-qr': 1 });
    expect(c.reconciles).toBe(true);
  });

  it('finishSource refuses a page count that does not match the pages saved', () => {
    const { store } = freshStore();
    const src = store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    store.pages.savePage(readPage(src, 0, '1', 1));
    expect(() => store.pages.finishSource(src, 2)).toThrow(/1 pages saved/);
    expect(store.pages.source(src)!.status).toBe('reading');
  });

  it('resumeInfo lists sources a crash left reading, with the pages already saved', () => {
    const { store } = freshStore();
    const a = store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    const b = store.pages.beginSource({ path: 'b.pdf', sha256: SHA(2), bytes: 10, format: 'pdf' });
    store.pages.savePage(readPage(a, 0, '1', 1));
    store.pages.finishSource(a, 1);
    store.pages.savePage(readPage(b, 0, '2', 1));
    store.pages.savePage(readPage(b, 1, '2', 2));
    const bad = store.pages.beginSource({ path: 'bad.png', sha256: SHA(3), bytes: 1, format: 'png' });
    store.pages.failSource(bad, 'not an image');
    expect(store.pages.source(bad)).toMatchObject({ status: 'failed', error: 'not an image' });
    expect(store.pages.resumeInfo()).toEqual([{ id: b, path: 'b.pdf', sha256: SHA(2), savedPageIndexes: [0, 1] }]);
    expect(() => store.pages.beginSource({ path: 'copy.pdf', sha256: SHA(2), bytes: 10, format: 'pdf' })).toThrow(/UNIQUE/);
  });

  it('statusCounts spots a done source whose pages do not add up', () => {
    const { store } = freshStore();
    const a = store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    store.pages.savePage(readPage(a, 0, '1', 1));
    store.pages.finishSource(a, 1);
    // simulate damage from outside the API
    store.db.prepare('UPDATE sources SET page_count = 3 WHERE id = ?').run(a);
    const c = store.statusCounts();
    expect(c.reconciles).toBe(false);
    expect(c.problems[0]).toMatch(/source \d+: 1 pages stored, file has 3/);
  });

  it('CHECK constraints refuse impossible rows', () => {
    const { store } = freshStore();
    expect(() => store.pages.beginSource({ path: 'a', sha256: 'not-a-hash', bytes: 1, format: 'png' })).toThrow(/CHECK/);
    const a = store.pages.beginSource({ path: 'a.tif', sha256: SHA(1), bytes: 10, format: 'tiff' });
    expect(() => store.db.prepare(`UPDATE sources SET status = 'lost' WHERE id = ?`).run(a)).toThrow(/CHECK/);
    expect(() => store.db.prepare(`UPDATE sources SET status = 'done' WHERE id = ?`).run(a)).toThrow(/CHECK/); // no page_count
    expect(() => store.pages.savePage({ ...readPage(a, 0, 'ABC', 1) })).toThrow(/CHECK/); // serial must be digits
  });
});

describe('audit', () => {
  it('is append-only: UPDATE and DELETE raise', () => {
    const f = fixture({ records: 1, notReady: 0 });
    const serial = f.ready[0]!;
    const n = f.store.review.auditOf(serial).length;
    expect(n).toBeGreaterThan(0);
    expect(() => f.store.db.prepare(`UPDATE audit SET actor = 'someone' WHERE serial = ?`).run(serial)).toThrow(/append-only/);
    expect(() => f.store.db.prepare('DELETE FROM audit WHERE serial = ?').run(serial)).toThrow(/append-only/);
    expect(f.store.review.auditOf(serial)).toHaveLength(n);
  });
});

describe('validation and review', () => {
  it('updateFieldValidation bumps the version only on a change and is audited', () => {
    const f = fixture({ records: 1, notReady: 1 });
    const s = f.notReady[0]!;
    const before = f.store.records.field(s, 'observations.0.pulse')!;
    expect(before).toMatchObject({ value: 104, status: 'accepted', version: 2 });
    expect(f.store.records.updateFieldValidation(s, 'observations.0.pulse', { value: 104, status: 'accepted', reasons: [] })).toBe(false);
    expect(f.store.records.field(s, 'observations.0.pulse')!.version).toBe(2);
    expect(f.store.records.updateFieldValidation(s, 'observations.0.pulse', { value: 104, status: 'needs-review', reasons: [{ code: 'news2-mismatch' }] })).toBe(true);
    expect(f.store.records.field(s, 'observations.0.pulse')).toMatchObject({ status: 'needs-review', version: 3, reasons: [{ code: 'news2-mismatch' }] });
    const last = f.store.review.auditOf(s).at(-1)!;
    expect(last).toMatchObject({ actor: 'validate', action: 'validate', fieldId: 'observations.0.pulse' });
    expect(last.before).toMatchObject({ status: 'accepted', version: 2 });
  });

  it('applyDecision checks the version, records who and when, and audits before/after', () => {
    const f = fixture({ records: 1, notReady: 1 });
    const s = f.notReady[0]!;
    const cur = f.store.records.field(s, 'observations.0.pulse')!;
    const after = f.store.review.applyDecision({ serial: s, fieldId: cur.fieldId, reviewer: 'dm.smith', action: 'correct', value: 140, expectedVersion: cur.version });
    expect(after).toMatchObject({ value: 140, status: 'verified', verifiedBy: 'dm.smith', version: cur.version + 1 });
    expect(() =>
      f.store.review.applyDecision({ serial: s, fieldId: cur.fieldId, reviewer: 'dm.other', action: 'verify', expectedVersion: cur.version }),
    ).toThrow(VersionConflictError);
    const a = f.store.review.auditOf(s).at(-1)!;
    expect(a).toMatchObject({ actor: 'dm.smith', action: 'review-correct', before: { value: 104 }, after: { value: 140, status: 'verified' } });
    // validate never overwrites a person's decision
    f.store.records.updateFieldValidation(s, cur.fieldId, { value: 104, status: 'accepted', reasons: [] });
    expect(f.store.records.field(s, cur.fieldId)).toMatchObject({ value: 140, status: 'verified' });
    // illegible: no value, reason kept
    const t = f.store.records.field(s, 'observations.0.temperature')!;
    expect(f.store.review.applyDecision({ serial: s, fieldId: t.fieldId, reviewer: 'dm.smith', action: 'illegible', expectedVersion: t.version })).toMatchObject({
      value: null,
      status: 'blank',
      reasons: [{ code: 'illegible' }],
    });
    expect(() => f.store.review.applyDecision({ serial: s, fieldId: t.fieldId, reviewer: 'ocr', action: 'blank', expectedVersion: 99 })).toThrow(/reviewer/);
  });

  it('a decision on a ready record sends it back to needs-review', () => {
    const f = fixture({ records: 1, notReady: 0 });
    const s = f.ready[0]!;
    const cur = f.store.records.field(s, 'patient.postcode')!;
    f.store.review.applyDecision({ serial: s, fieldId: cur.fieldId, reviewer: 'dm.smith', action: 'verify', expectedVersion: cur.version });
    expect(f.store.records.record(s)!.status).toBe('needs-review');
    expect(f.store.batches.readyUnexported()).toEqual([]);
  });

  it('recordObject builds the record from values at their paths', () => {
    const f = fixture({ records: 1, notReady: 0 });
    const s = f.ready[0]!;
    expect(f.store.records.recordObject(s)).toEqual(f.records[0]);
  });
});

describe('batches', () => {
  it('commitBatch records the batch and marks records exported in one transaction; a record joins one batch only', () => {
    const f = fixture({ records: 3, notReady: 1 });
    const [a, b] = f.ready as [string, string];
    expect(f.store.batches.readyUnexported()).toEqual([a, b]);
    const meta = { seq: 1, createdAt: '2023-08-01T10:00:00.000Z', formats: ['fhir'], outDir: '/x/batch-0001', manifestSha256: SHA(9) };
    // a not-ready record in the list fails the whole commit
    expect(() => f.store.batches.commitBatch('batch-0001', [a, f.notReady[0]!], meta)).toThrow(/not ready/);
    expect(f.store.batches.get('batch-0001')).toBeUndefined();
    expect(f.store.records.record(a)!.status).toBe('ready');

    f.store.batches.commitBatch('batch-0001', [a], meta);
    expect(f.store.batches.get('batch-0001')).toMatchObject({ seq: 1, recordCount: 1, formats: ['fhir'] });
    expect(f.store.batches.batchRecords('batch-0001')).toEqual([a]);
    expect(f.store.records.record(a)!.status).toBe('exported');
    expect(f.store.batches.readyUnexported()).toEqual([b]);
    expect(f.store.batches.nextBatchSeq()).toBe(2);
    // exported is final: no status change, no field change, no second batch
    expect(() => f.store.records.setRecordStatus(a, 'ready', [])).toThrow(/exported/);
    expect(() => f.store.db.prepare(`UPDATE records SET status = 'ready' WHERE serial = ?`).run(a)).toThrow(/already exported/);
    expect(() => f.store.db.prepare(`UPDATE fields SET value_json = '1' WHERE serial = ?`).run(a)).toThrow(/already exported/);
    expect(() => f.store.db.prepare(`INSERT INTO batch_records(batch_id, serial) VALUES ('batch-0001', ?)`).run(a)).toThrow(/UNIQUE/);
    expect(() => f.store.db.prepare('DELETE FROM batches').run()).toThrow(/permanent/);
    expect(f.store.statusCounts()).toMatchObject({ records: { exported: 1, ready: 1, 'needs-review': 1 }, reconciles: true });
  });

  it('a late page for an exported form is kept but quarantined', () => {
    const f = fixture({ records: 1, notReady: 0 });
    const s = f.ready[0]!;
    f.store.batches.commitBatch('batch-0001', [s], { seq: 1, createdAt: 'now', formats: ['csv'], outDir: '/x', manifestSha256: SHA(1) });
    const src = f.store.pages.beginSource({ path: 'late.tif', sha256: SHA(42), bytes: 1, format: 'tiff' });
    const saved = f.store.pages.savePage(readPage(src, 0, s, 1, [field('x', 'patient.surname', 'Y')]));
    expect(saved).toMatchObject({ state: 'quarantined', reasonCode: 'record-already-exported' });
    expect(f.store.records.record(s)!.status).toBe('exported');
    expect(f.store.records.field(s, 'x')).toBeUndefined();
  });
});
