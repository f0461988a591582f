// A job with synthetic records and no scans: pages saved with hand-built FieldReads, then fields accepted and
// records marked ready, as validate would. NHS numbers come from the 999 test range only.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { JobStore } from '../../src/job/store.ts';
import type { FieldRead } from '../../src/job/page-store.ts';
import type { PrfRecord } from '../../src/record/schema.ts';

export const FIXTURE_TEMPLATE = { id: 'test-prf', version: 1, pages: 2 } as const;

/** A valid test-range NHS number (999 xxx xxxx with a correct mod 11 check digit). */
export function testNhsNumber(seed: number): string {
  for (let n = seed; ; n++) {
    const nine = `999${String(n % 1_000_000).padStart(6, '0')}`;
    const sum = [...nine].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return nine + String(check);
  }
}

/** A plausible synthetic record; serial i. Record 2 has formula-like text; record 3 has no NHS number. */
export function syntheticRecord(i: number): PrfRecord {
  const serial = String(100000 + i);
  const r: PrfRecord = {
    formSerial: serial,
    incident: {
      incidentNumber: String(40000000 + i),
      incidentDate: '2023-07-19',
      callCategory: 'C2',
      callSign: `RRV${10 + (i % 3)}`,
      fleetNumber: String(4000 + i),
      times: { callReceived: '23:40', mobilised: '23:42', atScene: '23:55', leftScene: '00:20', atHospital: '00:41', handover: '00:58', clear: '01:10' },
    },
    crew: [
      { staffNumber: String(20000 + i), role: 'paramedic', hcpcNumber: `PA${String(100000 + i)}` },
      { staffNumber: String(30000 + i), role: 'technician' },
    ],
    patient: {
      surname: `Testperson${String.fromCharCode(65 + (i % 26))}`,
      forenames: 'Alex Jordan',
      dateOfBirth: '1950-03-14',
      age: 73,
      sex: i % 2 ? 'female' : 'male',
      nhsNumber: testNhsNumber(1000 + i * 7),
      address: `${i} Example Street, Testtown`,
      postcode: 'SO16 6YD',
      gpPractice: 'J82001',
    },
    clinical: {
      presentingComplaint: 'Chest pain, central, 40 minutes',
      history: 'Sudden onset at rest',
      allergies: 'Penicillin',
    },
    observations: [
      { time: '23:58', respiratoryRate: 22, spo2: 95, spo2Scale: 1, inspired: 'air', systolicBp: 150, diastolicBp: 92, pulse: 104, temperature: 37.1, acvpu: 'A', gcsEye: 4, gcsVerbal: 5, gcsMotor: 6, gcsTotal: 15, bloodGlucose: 6.2, painScore: 7, news2Total: 4 },
      { time: '00:25', respiratoryRate: 18, spo2: 97, inspired: 'oxygen', systolicBp: 138, diastolicBp: 85, pulse: 92, acvpu: 'A', painScore: 3, news2Total: 3 },
    ],
    drugs: [
      { drug: 'Aspirin', dose: '300mg', route: 'PO', time: '00:02', givenBy: String(20000 + i) },
      { drug: 'GTN', dose: '400mcg', route: 'SL', time: '00:05', givenBy: String(20000 + i) },
    ],
    interventions: ['ecg-12-lead', 'cannulation'],
    outcome: { conveyed: true, destination: 'RHM01', preAlert: true, safeguardingReferral: false, hasCapacity: true },
    clinician: { name: 'J Crew', staffNumber: String(20000 + i), signed: true },
    notes: 'Handed over to ED nurse',
  };
  if (i === 2) {
    r.clinical.presentingComplaint = '=1+2';
    r.notes = '@SUM(A1:A9)';
  }
  if (i === 3) delete r.patient.nhsNumber;
  return r;
}

/** Leaf paths and values of a record (arrays of objects by index; enum lists whole). */
export function leaves(obj: unknown, prefix = ''): [string, unknown][] {
  if (Array.isArray(obj)) {
    if (obj.every((x) => typeof x !== 'object')) return [[prefix, obj]];
    return obj.flatMap((x, i) => leaves(x, `${prefix}[${i}]`));
  }
  if (obj && typeof obj === 'object') {
    return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, obj]];
}

export const fieldIdOf = (path: string) => path.toLowerCase().replace(/\[(\d+)\]/g, '.$1');
// Page 1 holds incident, crew and patient; page 2 the rest (as on the paper form).
const pageOf = (path: string) => (/^(incident|crew|patient)/.test(path) ? 1 : 2);

export interface JobFixture {
  dir: string;
  store: JobStore;
  records: PrfRecord[];
  /** Serials marked ready. */
  ready: string[];
  /** Serials left needing review. */
  notReady: string[];
}

export interface FixtureOptions {
  dir?: string;
  records?: number;
  /** How many of the records (the last ones) stay 'needs-review'. */
  notReady?: number;
  /** Record indexes whose patient.surname a reviewer verifies (so Provenance names a verifier). */
  reviewed?: number[];
  /** Use these records instead of synthetic ones. */
  given?: PrfRecord[];
  /** Where each form page was scanned: a real file (hashed here) and the page's index in it. */
  pageSource?: (rec: PrfRecord, pageNo: number) => { path: string; pageIndex: number; format: 'png' | 'jpeg' | 'tiff' | 'pdf' };
}

/** Build the job, leave the store open (the caller closes it). */
export function buildJobFixture(o: FixtureOptions = {}): JobFixture {
  const dir = o.dir ?? join(mkdtempSync(join(tmpdir(), 'prf-job-')), 'job');
  const n = o.given?.length ?? o.records ?? 5;
  const notReadyCount = o.notReady ?? 1;
  const store = JobStore.open(dir, { create: true, templateId: FIXTURE_TEMPLATE.id, templateVersion: FIXTURE_TEMPLATE.version, toolVersion: '0.1.0' });
  const records = o.given ?? Array.from({ length: n }, (_, i) => syntheticRecord(i + 1));
  const realSources = new Map<string, { id: number }>();
  const realSource = (path: string, format: 'png' | 'jpeg' | 'tiff' | 'pdf') => {
    let s = realSources.get(path);
    if (!s) {
      const buf = readFileSync(path);
      const sha256 = createHash('sha256').update(buf).digest('hex');
      s = { id: store.pages.beginSource({ path, sha256, bytes: buf.length, format }) };
      realSources.set(path, s);
    }
    return s;
  };
  const ready: string[] = [];
  const notReady: string[] = [];
  records.forEach((rec, i) => {
    const sha = createHash('sha256').update(`scan-${rec.formSerial}`).digest('hex');
    const sourceId = o.pageSource ? 0 : store.pages.beginSource({ path: `scans/box1/${rec.formSerial}.tif`, sha256: sha, bytes: 12345, format: 'tiff' });
    const all = leaves(rec).filter(([p]) => p !== 'formSerial');
    for (const pageNo of [1, 2]) {
      const real = o.pageSource?.(rec, pageNo);
      const src = real ? realSource(real.path, real.format) : undefined;
      const fields: FieldRead[] = all
        .filter(([p]) => pageOf(p) === pageNo)
        .map(([path, value]) => ({
          fieldId: fieldIdOf(path),
          type: typeof value === 'number' ? 'digits' : typeof value === 'boolean' ? 'tick' : 'text',
          path,
          rawText: Array.isArray(value) ? value.join(',') : String(value),
          read: { text: String(value) },
          confidence: 91,
          cropPath: `crops/${rec.formSerial}-${fieldIdOf(path)}.png`,
        }));
      store.pages.savePage({
        sourceId: src?.id ?? sourceId,
        pageIndex: real?.pageIndex ?? pageNo - 1,
        state: 'read',
        serial: rec.formSerial,
        pageNo,
        templateId: FIXTURE_TEMPLATE.id,
        templateVersion: FIXTURE_TEMPLATE.version,
        pagesExpected: FIXTURE_TEMPLATE.pages,
        rotation: 0.4,
        dpi: 300,
        fields,
      });
    }
    if (!o.pageSource) store.pages.finishSource(sourceId, 2);
    for (const [path, value] of all) {
      store.records.updateFieldValidation(rec.formSerial, fieldIdOf(path), { value, status: 'accepted', reasons: [] });
    }
    if (o.reviewed?.includes(i + 1)) {
      const f = store.records.field(rec.formSerial, 'patient.surname')!;
      store.review.applyDecision({ serial: rec.formSerial, fieldId: f.fieldId, reviewer: 'dm.jones', action: 'verify', expectedVersion: f.version });
    }
    if (i >= n - notReadyCount) {
      store.records.setRecordStatus(rec.formSerial, 'needs-review', [{ code: 'news2-mismatch' }]);
      notReady.push(rec.formSerial);
    } else {
      store.records.setRecordStatus(rec.formSerial, 'ready', []);
      ready.push(rec.formSerial);
    }
  });
  // Real sources stay unfinished: their other pages (blank backs, other forms) are not in this job.
  return { dir, store, records, ready, notReady };
}
