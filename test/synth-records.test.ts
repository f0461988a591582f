import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { news2Score } from '../src/record/news2.ts';
import { isValidNhsNumber, nhsCheckDigit } from '../src/record/nhs-number.ts';
import { getAtPath } from '../src/record/paths.ts';
import { PrfRecord } from '../src/record/schema.ts';
import { loadTemplate } from '../src/template/load.ts';
import { parseTemplate } from '../src/template/load.ts';
import type { Template } from '../src/template/schema.ts';
import {
  ageOn,
  generateRecord,
  incidentElapsedMinutes,
  incidentNumberForSerial,
  timeToMinutes,
  wrapText,
  type GeneratedRecord,
} from '../src/synth/records.ts';
import { createRng } from '../src/synth/rng.ts';
import {
  buildTruth,
  fieldsThatDoNotFit,
  fieldValuesAsWritten,
  readTruthFile,
  TruthFileError,
  writeTruthFile,
  writtenValue,
} from '../src/synth/truth.ts';

const N = 500;
function batch(seed: number | string, n = N): GeneratedRecord[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => generateRecord(rng, String(200000 + i)));
}
const forms = batch(20230718);
const withError = (kind: string) => forms.filter((f) => f.writerErrors.some((e) => e.kind === kind));
const errorAt = (f: GeneratedRecord, path: string) => f.writerErrors.find((e) => e.path === path);

/** Every leaf (non-object, non-array value) of a JSON value with its record path. */
function leaves(v: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (x: unknown, p: string) => {
    if (Array.isArray(x) && x.length === 0) return;
    if (Array.isArray(x) && x.some((e) => typeof e === 'object')) x.forEach((e, i) => walk(e, `${p}[${i}]`));
    else if (x !== null && typeof x === 'object' && !Array.isArray(x)) for (const [k, e] of Object.entries(x)) walk(e, p ? `${p}.${k}` : k);
    else if (x !== undefined) out.set(p, x);
  };
  walk(v, prefix);
  return out;
}

/** Minutes after the call, round the clock. */
const sinceCall = (r: PrfRecord, t: string) => (timeToMinutes(t) - timeToMinutes(r.incident.times.callReceived!) + 1440) % 1440;

describe('rng', () => {
  it('gives the same sequence for the same seed, and number and string seeds agree', () => {
    const a = createRng(42);
    const b = createRng('42');
    const xs = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const c = createRng(43);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(xs);
  });

  it('forks are independent of draws made on the parent', () => {
    const a = createRng('s');
    const b = createRng('s');
    b.next();
    b.int(1, 6);
    const fa = a.fork('obs');
    const fb = b.fork('obs');
    expect(Array.from({ length: 20 }, () => fa.next())).toEqual(Array.from({ length: 20 }, () => fb.next()));
    expect(a.fork('obs').next()).not.toBe(a.fork('drugs').next());
  });

  it('keeps int, pick, chance, normal, sample within their contracts', () => {
    const r = createRng(1);
    const ints = Array.from({ length: 2000 }, () => r.int(3, 7));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6, 7]));
    expect(() => r.int(5, 4)).toThrow();
    expect(() => r.pick([])).toThrow();
    const heads = Array.from({ length: 4000 }, () => r.chance(0.25)).filter(Boolean).length;
    expect(heads / 4000).toBeGreaterThan(0.2);
    expect(heads / 4000).toBeLessThan(0.3);
    const normals = Array.from({ length: 4000 }, () => r.normal(10, 2));
    const mean = normals.reduce((s, x) => s + x, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((s, x) => s + (x - mean) ** 2, 0) / normals.length);
    expect(mean).toBeCloseTo(10, 0);
    expect(sd).toBeGreaterThan(1.8);
    expect(sd).toBeLessThan(2.2);
    const s = r.sample([1, 2, 3, 4, 5], 3);
    expect(new Set(s).size).toBe(3);
  });
});

describe('generateRecord', () => {
  it('is deterministic for a seed, and different seeds give different records', () => {
    expect(batch(20230718, 60)).toEqual(forms.slice(0, 60));
    expect(batch(99, 5).map((f) => f.record)).not.toEqual(forms.slice(0, 5).map((f) => f.record));
    // A form depends only on the seed and its serial, not on what was generated before it.
    expect(generateRecord(createRng(20230718), '200123')).toEqual(forms[123]);
  });

  it('produces valid records, except where a planted error breaks a schema rule', () => {
    for (const f of forms) {
      expect(PrfRecord.safeParse(f.intendedRecord).success).toBe(true);
      const parsed = PrfRecord.safeParse(f.record);
      if (f.writerErrors.some((e) => e.kind === 'temperature-fahrenheit')) {
        expect(parsed.success).toBe(false);
        const paths = parsed.error!.issues.map((i) => i.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('').replace(/^\./, ''));
        expect(paths.every((p) => errorAt(f, p)?.kind === 'temperature-fahrenheit')).toBe(true);
      } else {
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }
    }
  });

  it('plants writer errors in about 8% of forms, of every kind, and lists exactly what differs', () => {
    const errored = forms.filter((f) => f.writerErrors.length > 0);
    expect(errored.length / N).toBeGreaterThan(0.04);
    expect(errored.length / N).toBeLessThan(0.13);
    for (const kind of ['news2-sum', 'nhs-digit', 'time-order', 'temperature-fahrenheit']) expect(withError(kind).length).toBeGreaterThan(0);
    for (const f of forms) {
      const written = leaves(f.record);
      const intended = leaves(f.intendedRecord);
      const differing = [...new Set([...written.keys(), ...intended.keys()])].filter((p) => JSON.stringify(written.get(p)) !== JSON.stringify(intended.get(p)));
      expect(differing.sort()).toEqual(f.writerErrors.map((e) => e.path).sort());
      for (const e of f.writerErrors) {
        expect(getAtPath(f.record, e.path)).toEqual(e.written);
        expect(getAtPath(f.intendedRecord, e.path)).toEqual(e.correct);
      }
    }
  });

  it('uses 999 test-range NHS numbers with valid check digits; a planted digit error fails the check', () => {
    let withNumber = 0;
    for (const f of forms) {
      const nhs = f.intendedRecord.patient.nhsNumber;
      if (nhs === undefined) {
        expect(f.intendedRecord.patient.surname).toBeDefined();
        expect(f.intendedRecord.patient.dateOfBirth).toBeDefined();
        continue;
      }
      withNumber++;
      expect(nhs).toMatch(/^999\d{7}$/);
      expect(isValidNhsNumber(nhs)).toBe(true);
      const written = f.record.patient.nhsNumber!;
      if (errorAt(f, 'patient.nhsNumber')) {
        expect(written).toMatch(/^999\d{7}$/);
        expect(isValidNhsNumber(written)).toBe(false);
      } else expect(written).toBe(nhs);
    }
    const share = 1 - withNumber / N;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.25);
  });

  it('gives ages that agree with the date of birth on the incident date, in July-August 2023', () => {
    for (const { record: r } of forms) {
      expect(r.incident.incidentDate >= '2023-07-01' && r.incident.incidentDate <= '2023-08-31').toBe(true);
      expect(r.patient.age !== undefined || r.patient.dateOfBirth !== undefined).toBe(true);
      if (r.patient.age !== undefined && r.patient.dateOfBirth !== undefined) {
        expect(ageOn(r.patient.dateOfBirth, r.incident.incidentDate)).toBe(r.patient.age);
      }
    }
    expect(generateRecord(createRng(1), '5', { incidentDate: '2023-08-02' }).record.incident.incidentDate).toBe('2023-08-02');
    expect(ageOn('2000-02-29', '2023-02-28')).toBe(22);
    expect(ageOn('2000-02-29', '2023-03-01')).toBe(23);
  });

  it('keeps incident times in order modulo midnight, about 10% crossing it; swapped times are out of order', () => {
    let crossing = 0;
    for (const f of forms) {
      const t = f.intendedRecord.incident.times;
      expect(incidentElapsedMinutes(t)).toBeLessThanOrEqual(720);
      const present = Object.values(t).map(timeToMinutes);
      if (present.some((m, i) => i > 0 && m < present[i - 1]!)) crossing++;
      const swapped = f.writerErrors.some((e) => e.kind === 'time-order');
      if (swapped) {
        expect(f.writerErrors.filter((e) => e.kind === 'time-order')).toHaveLength(2);
        expect(incidentElapsedMinutes(f.record.incident.times)).toBeGreaterThan(720);
      } else expect(incidentElapsedMinutes(f.record.incident.times)).toBeLessThanOrEqual(720);
    }
    expect(crossing / N).toBeGreaterThan(0.05);
    expect(crossing / N).toBeLessThan(0.16);
  });

  it('times observations and drugs between arrival at scene and arrival at hospital (or leaving scene)', () => {
    for (const { intendedRecord: r } of forms) {
      const t = r.incident.times;
      const end = sinceCall(r, t.atHospital ?? t.leftScene!);
      const start = sinceCall(r, t.atScene!);
      const obsTimes = r.observations.map((o) => sinceCall(r, o.time!));
      for (const m of obsTimes) expect(m >= start && m <= end).toBe(true);
      expect([...obsTimes].sort((a, b) => a - b)).toEqual(obsTimes);
      for (const d of r.drugs) if (d.time) expect(sinceCall(r, d.time) >= start && sinceCall(r, d.time) <= end).toBe(true);
    }
  });

  it('writes NEWS2 as the recomputed score, except where a sum error was planted', () => {
    let sums = 0;
    for (const f of forms) {
      f.record.observations.forEach((o, i) => {
        if (o.news2Total === undefined) return;
        sums++;
        const intended = f.intendedRecord.observations[i]!;
        expect(intended.news2Total).toBe(news2Score(intended).total);
        const err = errorAt(f, `observations[${i}].news2Total`);
        if (err) {
          expect(Math.abs(o.news2Total - intended.news2Total!)).toBeGreaterThanOrEqual(1);
          expect(Math.abs(o.news2Total - intended.news2Total!)).toBeLessThanOrEqual(3);
        } else if (!f.writerErrors.some((e) => e.path === `observations[${i}].temperature`)) {
          expect(o.news2Total).toBe(news2Score(o).total);
        }
      });
    }
    expect(sums).toBeGreaterThan(N);
  });

  it('gives observations that hang together', () => {
    const worst = new Map<string, number>();
    let scale2 = 0;
    for (const { intendedRecord: r } of forms) {
      expect(r.observations.length).toBeGreaterThanOrEqual(1);
      expect(r.observations.length).toBeLessThanOrEqual(3);
      for (const o of r.observations) {
        if (o.gcsTotal !== undefined) expect(o.gcsTotal).toBe(o.gcsEye! + o.gcsVerbal! + o.gcsMotor!);
        if (o.acvpu === 'A' && o.gcsTotal !== undefined) expect(o.gcsTotal).toBe(15);
        if (o.systolicBp !== undefined) expect(o.diastolicBp!).toBeLessThan(o.systolicBp);
        if (o.temperature !== undefined) expect(Math.round(o.temperature * 10) / 10).toBe(o.temperature);
        if (o.bloodGlucose !== undefined) expect(Math.round(o.bloodGlucose * 10) / 10).toBe(o.bloodGlucose);
        if (o.spo2Scale === 2) scale2++;
      }
      // A sick patient is sick in every set: NEWS2 does not jump from 0 to 7+ between sets.
      const totals = r.observations.map((o) => news2Score(o).total).filter((t): t is number => t !== null);
      for (let i = 1; i < totals.length; i++) expect(Math.abs(totals[i]! - totals[i - 1]!)).toBeLessThanOrEqual(8);
      worst.set(r.formSerial, Math.max(0, ...totals));
    }
    expect(scale2).toBeGreaterThan(0);
    const high = [...worst.values()].filter((w) => w >= 7).length;
    expect(high).toBeGreaterThan(N * 0.05); // some really sick patients
    expect(high).toBeLessThan(N * 0.5);
  });

  it('keeps identifiers, drugs, outcome and text in the shapes and sizes the form holds', () => {
    const numbers = new Set<string>();
    for (const { intendedRecord: r } of forms) {
      numbers.add(r.incident.incidentNumber);
      expect(r.incident.incidentNumber).toBe(incidentNumberForSerial(r.formSerial));
      expect(r.incident.callSign!).toMatch(/^[A-Z]{2}\d{2,4}$/);
      if (r.incident.fleetNumber) expect(r.incident.fleetNumber).toMatch(/^\d{4,5}$/);
      for (const name of [r.patient.surname, r.patient.forenames]) if (name) expect(name).toMatch(/^[A-Z][A-Z' -]{0,19}$/);
      if (r.patient.address) expect(r.patient.address.length).toBeLessThanOrEqual(80);
      expect(r.crew.length).toBeGreaterThanOrEqual(2);
      const staff = r.crew.map((c) => c.staffNumber!);
      expect(new Set(staff).size).toBe(staff.length);
      for (const c of r.crew) {
        expect(c.staffNumber).toMatch(/^\d{6}$/);
        if (c.hcpcNumber) {
          expect(c.role).toBe('paramedic');
          expect(c.hcpcNumber).toMatch(/^PA\d{6}$/);
        }
      }
      expect(r.drugs.length).toBeLessThanOrEqual(4);
      for (const d of r.drugs) {
        expect(d.drug!).toMatch(/^[A-Z]{1,11}$/);
        expect(d.dose!).toMatch(/^[A-Z0-9./]{1,6}$/);
        expect(staff).toContain(d.givenBy);
      }
      if (r.outcome.conveyed) {
        expect(r.outcome.destination).toMatch(/^[A-Z0-9]{5}$/);
        expect(r.outcome.nonConveyance).toBeUndefined();
      } else {
        expect(r.outcome.destination).toBeUndefined();
        expect(r.outcome.nonConveyance).toBeDefined();
        expect(r.incident.times.atHospital).toBeUndefined();
      }
      expect(staff).toContain(r.clinician.staffNumber);
      for (const text of [r.clinical.presentingComplaint, r.clinical.history, r.clinical.pastMedicalHistory, r.clinical.medications, r.clinical.allergies, r.notes]) {
        if (text === undefined) continue;
        expect(text).toBe(text.toUpperCase());
        for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
      }
      expect(r.clinical.noKnownAllergies === true && r.clinical.allergies !== undefined).toBe(false);
    }
    expect(numbers.size).toBe(N);
  });

  it('wraps text into lines of at most 60 characters, dropping what does not fit', () => {
    expect(wrapText(['A'.repeat(30), 'B'.repeat(30), 'C'.repeat(59)], 2)).toBe(`${'A'.repeat(30)}\n${'B'.repeat(30)}`);
    expect(wrapText(['HELLO THERE.', 'NEXT.'], 1)).toBe('HELLO THERE. NEXT.');
    expect(wrapText(['ONE TWO THREE'], 1, 7)).toBe('');
    expect(wrapText(['ONE TWO THREE'], 2, 7)).toBe('ONE TWO\nTHREE');
  });
});

// A small template of every field type, so field values are checked whatever the default template holds.
const SMALL: Template = parseTemplate(
  {
    id: 'small-test',
    version: 1,
    title: 'Small',
    pageSize: { widthMm: 210, heightMm: 297 },
    pages: [{ number: 1, title: 'p1' }],
    registration: { markSizeMm: 5, marks: [{ x: 8, y: 8 }, { x: 202, y: 8 }, { x: 8, y: 289 }, { x: 202, y: 289 }] },
    qr: { x: 180, y: 20, w: 20, h: 20 },
    fields: [
      { id: 'num', label: 'Incident', page: 1, type: 'digits', boxes: 10, path: 'incident.incidentNumber', zone: { x: 20, y: 30, w: 60, h: 7 } },
      { id: 'date', label: 'Date', page: 1, type: 'date', path: 'incident.incidentDate', zone: { x: 90, y: 30, w: 50, h: 7 } },
      { id: 'call', label: 'Call', page: 1, type: 'time', path: 'incident.times.callReceived', zone: { x: 20, y: 45, w: 30, h: 7 } },
      { id: 'nhs', label: 'NHS', page: 1, type: 'digits', boxes: 10, groups: [3, 3, 4], path: 'patient.nhsNumber', zone: { x: 60, y: 45, w: 70, h: 7 } },
      { id: 'surname', label: 'Surname', page: 1, type: 'capitals', boxes: 20, charset: 'letters', path: 'patient.surname', zone: { x: 20, y: 60, w: 120, h: 7 } },
      { id: 'postcode', label: 'Postcode', page: 1, type: 'capitals', boxes: 8, path: 'patient.postcode', zone: { x: 20, y: 75, w: 48, h: 7 } },
      { id: 'temp', label: 'Temp', page: 1, type: 'decimal', intDigits: 2, fracDigits: 1, path: 'observations[0].temperature', zone: { x: 80, y: 75, w: 25, h: 7 } },
      {
        id: 'sex', label: 'Sex', page: 1, type: 'choice', path: 'patient.sex', zone: { x: 20, y: 90, w: 100, h: 7 },
        options: ['male', 'female', 'other', 'unknown'].map((v, i) => ({ value: v, label: v, box: { x: 21 + i * 24, y: 91, w: 4, h: 4 } })),
      },
      {
        id: 'conveyed', label: 'Conveyed', page: 1, type: 'choice', path: 'outcome.conveyed', zone: { x: 130, y: 90, w: 40, h: 7 },
        options: [{ value: true, label: 'Yes', box: { x: 131, y: 91, w: 4, h: 4 } }, { value: false, label: 'No', box: { x: 150, y: 91, w: 4, h: 4 } }],
      },
      {
        id: 'iv', label: 'Interventions', page: 1, type: 'multi', path: 'interventions', zone: { x: 20, y: 105, w: 170, h: 7 },
        options: ['ecg-12-lead', 'cannulation', 'cpr'].map((v, i) => ({ value: v, label: v, box: { x: 21 + i * 50, y: 106, w: 4, h: 4 } })),
      },
      { id: 'nka', label: 'NKA', page: 1, type: 'tick', path: 'clinical.noKnownAllergies', zone: { x: 20, y: 120, w: 4, h: 4 } },
      { id: 'history', label: 'History', page: 1, type: 'text', lines: 4, path: 'clinical.history', zone: { x: 20, y: 135, w: 170, h: 28 } },
      { id: 'signed', label: 'Signature', page: 1, type: 'signature', path: 'clinician.signed', zone: { x: 20, y: 175, w: 60, h: 12 } },
    ],
  },
  'small test template',
);

describe('fieldValuesAsWritten', () => {
  it('gives what a perfect reader returns for each field type', () => {
    const r = structuredClone(forms[0]!.record);
    r.patient.nhsNumber = '9991234560';
    r.patient.surname = "O'NEILL";
    r.patient.postcode = 'SO16 3AB';
    r.patient.sex = 'female';
    r.incident.incidentDate = '2023-07-09';
    r.incident.times.callReceived = '23:05';
    r.observations[0]!.temperature = 9.5;
    r.outcome.conveyed = false;
    r.interventions = ['cpr', 'ecg-12-lead', 'splint'];
    r.clinical.noKnownAllergies = true;
    r.clinical.history = 'LINE ONE\nLINE TWO';
    r.clinician.signed = false;
    const v = fieldValuesAsWritten(SMALL, r);
    expect(Object.keys(v).sort()).toEqual(SMALL.fields.map((f) => f.id).sort());
    expect(v.nhs).toEqual({ path: 'patient.nhsNumber', type: 'digits', written: '9991234560' });
    expect(v.date!.written).toBe('09072023');
    expect(v.call!.written).toBe('2305');
    expect(v.surname!.written).toBe(`O'NEILL${' '.repeat(13)}`);
    expect(v.postcode!.written).toBe('SO16 3AB');
    expect(v.temp!.written).toBe(' 95');
    expect(v.sex!.written).toBe('female');
    expect(v.conveyed!.written).toBe(false);
    expect(v.iv!.written).toEqual(['ecg-12-lead', 'cpr']); // option order; splint is not on this form
    expect(v.nka!.written).toBe(true);
    expect(v.history!.written).toBe('LINE ONE\nLINE TWO');
    expect(v.signed!.written).toBe(false);
    expect(v.num!.written).toBe(r.incident.incidentNumber);
    expect(fieldsThatDoNotFit(SMALL, r).map((m) => m.fieldId)).toEqual(['iv']);

    // Blank fields
    delete r.patient.nhsNumber;
    delete r.interventions;
    delete r.clinical.history;
    r.observations = [];
    const b = fieldValuesAsWritten(SMALL, r);
    expect(b.nhs!.written).toBeNull();
    expect(b.temp!.written).toBeNull();
    expect(b.iv!.written).toEqual([]);
    expect(b.history!.written).toBeNull();
  });

  it('writes Fahrenheit temperatures into the boxes as the crew did', () => {
    const f = withError('temperature-fahrenheit')[0]!;
    const e = f.writerErrors.find((x) => x.kind === 'temperature-fahrenheit')!;
    const field = SMALL.fields.find((x) => x.id === 'temp')!;
    expect(writtenValue(field, e.written)).toBe(String(e.written).replace('.', ''));
  });

  const defaultTemplate = existsSync(new URL('../templates/standard-prf.json', import.meta.url)) ? loadTemplate('standard-prf') : null;
  it.runIf(defaultTemplate !== null)('covers every field of the default template, and every record value fits it', () => {
    const t = defaultTemplate!;
    const templatePaths = new Set(t.fields.map((f) => f.path));
    const problems: string[] = [];
    for (const f of forms) {
      const v = fieldValuesAsWritten(t, f.record);
      if (Object.keys(v).length !== t.fields.length) problems.push(`${f.record.formSerial}: ${Object.keys(v).length} fields`);
      for (const field of t.fields) if (v[field.id]?.path !== field.path) problems.push(`${f.record.formSerial}: ${field.id}`);
      for (const m of fieldsThatDoNotFit(t, f.record)) problems.push(`${f.record.formSerial}: ${m.fieldId} ${m.reason}`);
      // Every value the record holds has a place on the form (the serial comes from the QR code).
      for (const path of leaves(f.record).keys()) if (path !== 'formSerial' && !templatePaths.has(path)) problems.push(`${f.record.formSerial}: no field for ${path}`);
      // And a perfect reading gives the value back.
      if ((v['patient.nhs']?.written ?? undefined) !== f.record.patient.nhsNumber) problems.push(`${f.record.formSerial}: nhs`);
    }
    expect(problems).toEqual([]);
  });
});

describe('truth files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synth-truth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('write with mode 0600 and read back the same, validated', () => {
    for (const f of [forms[0]!, withError('temperature-fahrenheit')[0]!, withError('time-order')[0]!]) {
      const truth = buildTruth({ template: SMALL, seed: 20230718, profile: 'clean', ...f });
      expect(truth.fields.nhs!.written).toBe(f.record.patient.nhsNumber ?? null);
      const file = join(dir, 'sub', `${f.record.formSerial}.truth.json`);
      writeTruthFile(file, { ...truth, pages: [{ page: 1, file: 'scan-0001.png', pageIndex: 0, rotation: 180 }] });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
      const back = readTruthFile(file);
      expect(back.record).toEqual(f.record);
      expect(back.intendedRecord).toEqual(f.intendedRecord);
      expect(back.writerErrors).toEqual(f.writerErrors);
      expect(back.pages[0]!.rotation).toBe(180);
    }
  });

  it('refuses truth whose errors do not match the records, or whose record is invalid elsewhere', () => {
    const f = withError('news2-sum')[0]!;
    const truth = buildTruth({ template: SMALL, seed: 1, profile: 'clean', ...f });
    const file = join(dir, 'bad.truth.json');
    writeFileSync(file, JSON.stringify({ ...truth, writerErrors: [{ ...truth.writerErrors[0]!, written: -1 }] }));
    expect(() => readTruthFile(file)).toThrow(TruthFileError);
    const badRecord = structuredClone(truth.record);
    badRecord.patient.postcode = 'NOT A POSTCODE';
    writeFileSync(file, JSON.stringify({ ...truth, record: badRecord }));
    expect(() => readTruthFile(file)).toThrow(/patient.postcode/);
    writeFileSync(file, '{ not json');
    expect(() => readTruthFile(file)).toThrow(TruthFileError);
    expect(() => buildTruth({ template: SMALL, seed: 1, profile: 'clean', ...f, writerErrors: [] })).toThrow(TruthFileError);
  });
});
