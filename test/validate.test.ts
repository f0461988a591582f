// Validate: what the machine accepts, what goes to a person, and when a record is ready. Real SQLite job stores,
// filled with what a perfect reader would return for synthetic records (fake patients, 999-range NHS numbers).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideRecord } from '../src/record/acceptance.ts';
import { chooseThresholds, confidenceAuc, NEVER_ACCEPT, type FieldScore } from '../src/job/score.ts';
import { JobStore } from '../src/job/store.ts';
import type { FieldRead } from '../src/job/page-store.ts';
import { CALIBRATION_FILE, rememberTemplate, validateJob } from '../src/job/validate.ts';
import type { PrfRecord } from '../src/record/schema.ts';
import { fieldValuesAsWritten } from '../src/synth/truth.ts';
import { combBoxes } from '../src/template/geometry.ts';
import { loadTemplate } from '../src/template/load.ts';
import type { Template } from '../src/template/schema.ts';

const template = loadTemplate('standard-prf');
const sample: PrfRecord = JSON.parse(readFileSync(new URL('../fixtures/sample-record.json', import.meta.url), 'utf8'));

/** What a perfect reader returns for every field of one page of a form filled with `record`. */
function perfectReads(t: Template, record: PrfRecord, page: number, confidence: number): FieldRead[] {
  const written = fieldValuesAsWritten(t, record);
  return t.fields
    .filter((f) => f.page === page)
    .map((f) => {
      const w = written[f.id]!.written;
      let read: unknown;
      if (f.type === 'choice' || f.type === 'multi') read = f.options.map((o) => ((Array.isArray(w) ? w.includes(o.value) : w === o.value) ? 'ticked' : 'empty'));
      else if (f.type === 'tick' || f.type === 'signature') read = [w === true ? 'ticked' : 'empty'];
      else if (f.type === 'text') read = typeof w === 'string' ? w : '';
      else read = typeof w === 'string' ? w : ' '.repeat(combBoxes(f).length);
      return { fieldId: f.id, type: f.type, path: f.path, rawText: String(read), read, confidence: f.type === 'text' ? null : confidence };
    });
}

function makeJob(records: PrfRecord[], opts: { confidence?: number; calibrated?: boolean } = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'validate-')), 'job');
  const store = JobStore.open(dir, { create: true, templateId: template.id, templateVersion: template.version });
  rememberTemplate(store, template);
  records.forEach((r, i) => {
    const src = store.pages.beginSource({ path: `scan-${i}.pdf`, sha256: `${i}`.padStart(64, '0'), bytes: 1, format: 'pdf' });
    for (const page of [1, 2]) {
      store.pages.savePage({
        sourceId: src,
        pageIndex: page - 1,
        state: 'read',
        serial: r.formSerial,
        pageNo: page,
        templateId: template.id,
        templateVersion: template.version,
        pagesExpected: 2,
        rotation: 0,
        fields: perfectReads(template, r, page, opts.confidence ?? 0.97),
      });
    }
    store.pages.finishSource(src, 2);
  });
  store.close();
  if (opts.calibrated !== false) {
    const thresholds = { digits: 0.9, capitals: 0.9, date: 0.9, time: 0.9, decimal: 0.9, choice: 0.75, tick: 0.75, multi: 0.75, signature: 0.6 };
    writeFileSync(join(dir, CALIBRATION_FILE), JSON.stringify({ templateId: template.id, templateVersion: 1, targetWrongShare: 0.001, thresholds, measuredOn: { fields: 1, forms: 1 }, createdAt: '2026-01-01T00:00:00Z' }));
  }
  return dir;
}

const withSerial = (serial: string, change: (r: PrfRecord) => void = () => {}) => {
  const r = structuredClone(sample);
  r.formSerial = serial;
  change(r);
  return r;
};

function fieldsOf(dir: string, serial: string) {
  const store = JobStore.open(dir);
  try {
    return { record: store.records.record(serial)!, fields: new Map(store.records.recordFields(serial).map((f) => [f.path, f])) };
  } finally {
    store.close();
  }
}

describe('validate', () => {
  it('accepts confident, rule-abiding readings, always sends free text to a person, and then the record is ready once a person verifies it', () => {
    const dir = makeJob([withSerial('001000')]);
    const s = validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(s.thresholdsFrom).toBe('calibration');
    let { record, fields } = fieldsOf(dir, '001000');
    expect(fields.get('patient.nhsNumber')).toMatchObject({ status: 'accepted', value: '9990001235' });
    expect(fields.get('patient.dateOfBirth')).toMatchObject({ status: 'accepted', value: '1951-03-02' });
    expect(fields.get('observations[0].temperature')).toMatchObject({ status: 'accepted', value: 38.4 });
    expect(fields.get('patient.sex')).toMatchObject({ status: 'accepted', value: 'female' });
    expect(fields.get('clinical.presentingComplaint')!.status).toBe('needs-review');
    // Free text the template does not transcribe stays on the scan: not in the queue, named as such.
    expect(fields.get('clinical.history')).toMatchObject({ status: 'blank', value: null, reasons: [expect.objectContaining({ code: 'not-transcribed' })] });
    // Optional free text is in the queue, but the record does not wait for it (below: ready with it untouched).
    expect(fields.get('clinical.pastMedicalHistory')!.status).toBe('needs-review');
    expect(record.status).toBe('needs-review');

    const store = JobStore.open(dir);
    for (const f of store.records.recordFields('001000').filter((x) => x.status === 'needs-review' && x.fieldId !== 'clinical.pmh')) {
      store.review.applyDecision({ serial: '001000', fieldId: f.fieldId, reviewer: 'dm.test', action: 'verify', value: f.value, expectedVersion: f.version });
    }
    store.close();
    validateJob({ jobDir: dir, today: '2026-01-01' });
    ({ record } = fieldsOf(dir, '001000'));
    expect(record.status).toBe('ready');
    expect(fieldsOf(dir, '001000').fields.get('clinical.pastMedicalHistory')!.status).toBe('needs-review');
  });

  it('never accepts a value that breaks a rule, however confident the reading', () => {
    const dir = makeJob([withSerial('001001', (r) => (r.observations[0]!.news2Total = 3))], { confidence: 1 });
    validateJob({ jobDir: dir, today: '2026-01-01' });
    const { record, fields } = fieldsOf(dir, '001001');
    for (const p of ['observations[0].news2Total', 'observations[0].pulse', 'observations[0].respiratoryRate']) {
      const f = fields.get(p)!;
      expect(f.status, p).toBe('needs-review');
      expect((f.reasons as { code: string }[]).map((x) => x.code)).toContain('news2-mismatch');
    }
    expect(record.status).toBe('needs-review');
  });

  it('sends an NHS number with a wrong check digit to a person', () => {
    const dir = makeJob([withSerial('001002', (r) => (r.patient.nhsNumber = '9990001234'))], { confidence: 1 });
    validateJob({ jobDir: dir, today: '2026-01-01' });
    const f = fieldsOf(dir, '001002').fields.get('patient.nhsNumber')!;
    expect(f.status).toBe('needs-review');
    expect(JSON.stringify(f.reasons)).toContain('nhs-check-digit');
  });

  it('blocks a record with no way to identify the patient, and a person verifying blanks does not unblock it', () => {
    const dir = makeJob([
      withSerial('001003', (r) => {
        delete r.patient.nhsNumber;
        delete r.patient.surname;
      }),
    ]);
    validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(fieldsOf(dir, '001003').record.status).toBe('blocked');
    const store = JobStore.open(dir);
    for (const fid of ['patient.nhs', 'patient.surname']) {
      const f = store.records.field('001003', fid)!;
      store.review.applyDecision({ serial: '001003', fieldId: fid, reviewer: 'dm.test', action: 'blank', expectedVersion: f.version });
    }
    store.close();
    validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(fieldsOf(dir, '001003').record.status).toBe('blocked');
  });

  it('treats an unreadable incident number as needing a person, not as missing', () => {
    const dir = makeJob([withSerial('001004')]);
    const store = JobStore.open(dir);
    // Overwrite the OCR read of the incident number with an unreadable one, as a smudged box would give.
    store.db.prepare(`UPDATE fields SET read_json = ? WHERE serial = '001004' AND field_id = 'incident.number'`).run(JSON.stringify('4001??45  '));
    store.close();
    validateJob({ jobDir: dir, today: '2026-01-01' });
    const { record, fields } = fieldsOf(dir, '001004');
    expect(fields.get('incident.incidentNumber')!.status).toBe('needs-review');
    expect(record.status).toBe('needs-review');
  });

  it('accepts no handwriting with the shipped thresholds on a job not read by the box model they were measured on', () => {
    const dir = makeJob([withSerial('001005')], { calibrated: false, confidence: 0.999 });
    const s = validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(s.thresholdsFrom).toBe('template');
    const { fields } = fieldsOf(dir, '001005');
    expect(fields.get('patient.nhsNumber')!.status).toBe('needs-review');
    expect(fields.get('patient.sex')!.status).toBe('accepted');
  });

  it('a record missing a page is incomplete', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'validate-')), 'job');
    const store = JobStore.open(dir, { create: true, templateId: template.id, templateVersion: 1 });
    rememberTemplate(store, template);
    const src = store.pages.beginSource({ path: 'a.png', sha256: 'a'.repeat(64), bytes: 1, format: 'png' });
    store.pages.savePage({ sourceId: src, pageIndex: 0, state: 'read', serial: '001006', pageNo: 1, templateId: template.id, templateVersion: 1, pagesExpected: 2, rotation: 0, fields: perfectReads(template, withSerial('001006'), 1, 1) });
    store.close();
    validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(fieldsOf(dir, '001006').record.status).toBe('incomplete');
  });
});

describe('record decision', () => {
  const review = { code: 'news2-mismatch', severity: 'review' as const, message: 'x', paths: ['observations[0].news2Total'] };
  const blocking = { code: 'patient-unidentified', severity: 'blocking' as const, message: 'x', paths: ['patient.nhsNumber'] };
  it('settles a review finding whose fields a person verified, never a blocking one', () => {
    const verified = new Set(['observations[0].news2Total', 'patient.nhsNumber']);
    expect(decideRecord(2, 2, ['accepted', 'verified'], [review], verified)).toBe('ready');
    expect(decideRecord(2, 2, ['accepted', 'verified'], [review], new Set())).toBe('needs-review');
    expect(decideRecord(2, 2, ['accepted', 'verified'], [blocking], verified)).toBe('blocked');
    expect(decideRecord(1, 2, ['accepted'], [], new Set())).toBe('incomplete');
  });
});

describe('calibration', () => {
  const score = (confidence: number, readRight: boolean, type: FieldScore['type'] = 'digits', serial = '1'): FieldScore => ({
    serial,
    profile: 'clean',
    fieldId: 'f',
    type,
    path: 'p',
    confidence,
    readRight,
    written: true,
    normalised: 'value',
    candidate: true,
    status: 'accepted',
    substituted: false,
    charsWritten: 0,
    charsRight: 0,
    leftToScan: false,
  });

  const form = (i: number) => String(i).padStart(4, '0');

  it('picks the lowest threshold that keeps wrong values under half the target, with enough support', () => {
    const scores = [...Array.from({ length: 2000 }, (_, i) => score(0.9 + (i % 100) / 1000, true, 'digits', form(i))), score(0.95, false, 'digits', form(1)), score(0.95, false, 'digits', form(2)), score(0.5, false, 'digits', form(3))];
    const t = chooseThresholds(scores, 0.001);
    // Above 0.95 nothing is wrong; lower thresholds take in wrong readings.
    expect(t.digits).toBeGreaterThan(0.95);
    const accepted = scores.filter((s) => s.confidence! >= t.digits!);
    expect(accepted.filter((s) => !s.readRight).length / accepted.length).toBeLessThanOrEqual(0.0005);
  });

  it('accepts nothing of a type whose wrong readings are as confident as its right ones', () => {
    const scores = Array.from({ length: 500 }, (_, i) => score(0.99, i % 10 !== 0, 'digits', form(i)));
    expect(chooseThresholds(scores, 0.001).digits).toBe(NEVER_ACCEPT);
    expect(chooseThresholds(scores.slice(0, 20), 0.001).digits).toBeUndefined();
  });

  it('takes a threshold only where it holds on each half of the forms as well as on all of them', () => {
    // 4,000 right readings over 400 forms, and two wrong ones at 0.9505 in forms of the same half (alternate serials).
    const right = Array.from({ length: 4000 }, (_, i) => score(0.9 + Math.floor(i / 40) / 1000, true, 'digits', form(i % 400)));
    const wrong = [score(0.9505, false, 'digits', form(0)), score(0.9505, false, 'digits', form(2))];
    // On all 400 forms the two are diluted to 1 in 2,001 at 0.9; their own half has 1 in 1,001 there, so the cut must
    // rise above them.
    expect(chooseThresholds([...right, ...wrong], 0.001).digits).toBeCloseTo(0.951, 6);
    // Spread over both halves, the lowest cut holds on each.
    expect(chooseThresholds([...right, score(0.95, false, 'digits', form(0)), score(0.95, false, 'digits', form(1))], 0.001).digits).toBeCloseTo(0.9, 6);
    // A group that one half cannot measure (too few fields there) is left out: the type keeps its strict default.
    // Form 0 holds 240 fields, form 1 (the other half) 10: under the 100 a half must have.
    const oneHalf = Array.from({ length: 250 }, (_, i) => score(0.99, true, 'digits', form(i < 240 ? 0 : 1)));
    expect(chooseThresholds(oneHalf, 0.001).digits).toBeUndefined();
    expect(chooseThresholds(oneHalf.slice(0, 240).concat(Array.from({ length: 110 }, () => score(0.99, true, 'digits', form(1)))), 0.001).digits).toBe(0.99);
  });

  it('measures how well confidence separates right from wrong (AUC)', () => {
    expect(confidenceAuc([score(0.9, true), score(0.8, true), score(0.2, false)])).toBe(1);
    expect(confidenceAuc([score(0.2, true), score(0.9, false)])).toBe(0);
    expect(confidenceAuc([score(0.5, true), score(0.5, false)])).toBe(0.5);
  });
});
