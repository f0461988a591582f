// A real job store holding one standard-prf form as read, without scanning: every comb field with box alternatives
// at one probability, ticks and choices read exactly, and a calibration with the thresholds given. For tests of
// validation and what the job keeps (the CAD log, the downtime window).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldRead } from '../../src/job/page-store.ts';
import { JobStore } from '../../src/job/store.ts';
import { CALIBRATION_FILE, rememberTemplate } from '../../src/job/validate.ts';
import type { BoxAlternatives } from '../../src/record/evidence.ts';
import type { PrfRecord } from '../../src/record/schema.ts';
import { fieldValuesAsWritten } from '../../src/synth/truth.ts';
import { combBoxes } from '../../src/template/geometry.ts';
import { loadTemplate } from '../../src/template/load.ts';

export const template = loadTemplate('standard-prf');
export const sample: PrfRecord = JSON.parse(readFileSync(new URL('../../fixtures/sample-record.json', import.meta.url), 'utf8'));

/** Boxes read as `text`, each at probability p, with one other character beside it. */
export const boxes = (text: string, p = 0.9, unsure: Record<number, BoxAlternatives> = {}): BoxAlternatives[] =>
  [...text].map((c, i) => unsure[i] ?? (c === ' ' ? [{ char: ' ', p: 1 }] : [{ char: c, p }, { char: c === '1' ? '7' : '1', p: 1 - p }]));

/** Comb types at 0.999, capitals and decimals never, CAD and staff-list evidence at 0.9. */
const CAD_THRESHOLDS: Record<string, number> = {
  digits: 0.999, capitals: 2, date: 0.999, time: 0.999, decimal: 2, choice: 0.5, tick: 0.5, multi: 0.5, signature: 0.5,
  'digits:cad': 0.9, 'capitals:cad': 0.9, 'digits:roster': 0.9, 'capitals:roster': 0.9,
};

/** A job holding `record` as read, every comb field with box alternatives at probability p a box. */
export function makeReadJob(record: PrfRecord, p: number): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'read-job-')), 'job');
  const store = JobStore.open(dir, { create: true, templateId: template.id, templateVersion: template.version });
  rememberTemplate(store, template);
  const written = fieldValuesAsWritten(template, record);
  const src = store.pages.beginSource({ path: 'scan.pdf', sha256: '0'.repeat(64), bytes: 1, format: 'pdf' });
  for (const page of [1, 2]) {
    const fields: FieldRead[] = template.fields
      .filter((f) => f.page === page)
      .map((f) => {
        const w = written[f.id]!.written;
        if (f.type === 'choice' || f.type === 'multi') {
          const read = f.options.map((o) => ((Array.isArray(w) ? w.includes(o.value) : w === o.value) ? 'ticked' : 'empty'));
          return { fieldId: f.id, type: f.type, path: f.path, rawText: String(read), read, confidence: 1 };
        }
        if (f.type === 'tick' || f.type === 'signature') return { fieldId: f.id, type: f.type, path: f.path, rawText: '', read: [w === true ? 'ticked' : 'empty'], confidence: 1 };
        if (f.type === 'text') return { fieldId: f.id, type: f.type, path: f.path, rawText: String(w ?? ''), read: String(w ?? ''), confidence: null };
        const text = typeof w === 'string' ? w : ' '.repeat(combBoxes(f).length);
        const alts = boxes(text, p);
        return { fieldId: f.id, type: f.type, path: f.path, rawText: text, read: text, confidence: alts.reduce((q, b) => q * b[0]!.p, 1), alternatives: alts };
      });
    store.pages.savePage({ sourceId: src, pageIndex: page - 1, state: 'read', serial: record.formSerial, pageNo: page, templateId: template.id, templateVersion: template.version, pagesExpected: 2, rotation: 0, fields });
  }
  store.pages.finishSource(src, 2);
  store.close();
  writeFileSync(join(dir, CALIBRATION_FILE), JSON.stringify({ templateId: template.id, templateVersion: 1, targetWrongShare: 0.001, thresholds: CAD_THRESHOLDS, measuredOn: { fields: 1, forms: 1 }, createdAt: '2026-01-01T00:00:00Z' }));
  return dir;
}

/** The stored row of the field at `path` of the form `serial`. */
export function fieldStatus(dir: string, path: string, serial = sample.formSerial) {
  const store = JobStore.open(dir);
  try {
    return store.records.recordFields(serial).find((f) => f.path === path)!;
  } finally {
    store.close();
  }
}
