// Silent omissions: a field with writing on it that the machine read as blank and showed to nobody is a silent
// error. score counts them; the dropped-ink guard sends a page that plainly was written on, but whose comb boxes
// read nearly all blank, to a person as a whole.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { droppedInkFindings } from '../src/job/page-guard.ts';
import { scoreTruths } from '../src/job/score.ts';
import { JobStore } from '../src/job/store.ts';
import type { FieldRead } from '../src/job/page-store.ts';
import { DEFAULT_THRESHOLDS } from '../src/record/acceptance.ts';
import { rememberTemplate, validateRecord } from '../src/job/validate.ts';
import type { GroundTruth } from '../src/synth/truth.ts';
import { loadTemplate } from '../src/template/load.ts';
import { combBoxes, isComb, tickBoxes } from '../src/template/geometry.ts';
import type { Field } from '../src/template/schema.ts';

const template = loadTemplate('standard-prf');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newStore(): JobStore {
  const dir = mkdtempSync(join(tmpdir(), 'prf-omit-'));
  dirs.push(dir);
  const store = JobStore.open(dir, { create: true, templateId: template.id, templateVersion: template.version });
  rememberTemplate(store, template);
  return store;
}

/** A blank reading of a field as the reader returns it (comb: spaces; boxes: all empty). */
function blankRead(f: Field): FieldRead {
  const read = isComb(f) ? ' '.repeat(combBoxes(f).length) : f.type === 'text' ? '' : f.type === 'signature' ? ['empty'] : tickBoxes(f).map(() => 'empty');
  return { fieldId: f.id, type: f.type, path: f.path, rawText: typeof read === 'string' ? read : read.join(','), read, confidence: 1 };
}

function savePage(store: JobStore, serial: string, pageNo: number, fields: FieldRead[]): void {
  const src = store.pages.beginSource({ path: `p${serial}-${pageNo}.png`, sha256: (serial + pageNo).padStart(64, '0'), bytes: 1, format: 'png' });
  store.pages.savePage({ sourceId: src, pageIndex: 0, state: 'read', serial, pageNo, templateId: template.id, templateVersion: template.version, pagesExpected: 2, rotation: 0, fields });
}

describe('score counts silent omissions', () => {
  it('a written surname read as blank and shown to nobody is a silent error, reported apart', () => {
    const store = newStore();
    const page1 = template.fields.filter((f) => f.page === 1);
    // The NHS number read (so the patient is identified and no rule names the surname); the surname read as blank.
    const nhs = '9990000018';
    savePage(store, '100001', 1, page1.map((f) => (f.path === 'patient.nhsNumber' ? { ...blankRead(f), read: nhs, rawText: nhs } : blankRead(f))));
    validateRecord(store, template, DEFAULT_THRESHOLDS, '100001');
    expect(store.records.recordFields('100001').find((f) => f.path === 'patient.surname')!.status).toBe('blank');
    const truth = {
      serial: '100001',
      profile: 'clean',
      record: { formSerial: '100001', patient: { surname: 'TESTPERSON', nhsNumber: nhs } },
      fields: {},
      writerErrors: [],
      pages: [{ page: 1, file: 'x.png', pageIndex: 0, rotation: 0 }],
    } as unknown as GroundTruth;
    const r = scoreTruths(store, [truth]);
    expect(r.silentErrors.omitted).toBe(1);
    expect(r.silentErrors.wrong).toBe(0);
    expect(r.silentErrors.count).toBe(1);
    expect(r.byType.capitals!.silentOmissions).toBe(1);
    expect(r.byType.capitals!.silentErrors).toBe(1);
    store.close();
  });
});

describe('free text left to the scan', () => {
  it('history written on the form but not transcribed by policy is no silent omission: the attached page holds it', () => {
    const store = newStore();
    const page1 = template.fields.filter((f) => f.page === 1);
    const nhs = '9990000018';
    savePage(store, '100004', 1, page1.map((f) => (f.path === 'patient.nhsNumber' ? { ...blankRead(f), read: nhs, rawText: nhs } : blankRead(f))));
    validateRecord(store, template, DEFAULT_THRESHOLDS, '100004');
    expect(template.fields.find((f) => f.path === 'clinical.history')).toMatchObject({ transcribe: 'never' });
    const truth = {
      serial: '100004',
      profile: 'clean',
      record: { formSerial: '100004', patient: { nhsNumber: nhs }, clinical: { history: 'FELL AT HOME' } },
      fields: {},
      writerErrors: [],
      pages: [{ page: 1, file: 'x.png', pageIndex: 0, rotation: 0 }],
    } as unknown as GroundTruth;
    const r = scoreTruths(store, [truth]);
    expect(r.silentErrors.omitted).toBe(0);
    store.close();
  });
});

describe('dropped-ink guard', () => {
  const page2 = template.fields.filter((f) => f.page === 2);
  /** Page 2 with its ticks and signature marked (the crew wrote) and the comb boxes as given. */
  const markedPage = (combRead: (f: Field) => string | undefined) =>
    page2.map((f): FieldRead => {
      const b = blankRead(f);
      if (f.type === 'signature') return { ...b, read: ['ticked'], rawText: 'signed' };
      if (f.type === 'choice') return { ...b, read: tickBoxes(f).map((_, i) => (i === 0 ? 'ticked' : 'empty')) };
      const text = isComb(f) ? combRead(f) : undefined;
      return text === undefined ? b : { ...b, read: text, rawText: text };
    });

  it('a marked page whose comb boxes read nearly all blank goes to a person as a whole', () => {
    const store = newStore();
    savePage(store, '100002', 2, markedPage(() => undefined));
    const rows = store.records.recordFields('100002');
    const found = droppedInkFindings(template, rows);
    expect(found).toHaveLength(1);
    expect(found[0]!.code).toBe('page-comb-ink-missing');
    expect(new Set(found[0]!.paths)).toEqual(new Set(page2.map((f) => f.path)));
    validateRecord(store, template, DEFAULT_THRESHOLDS, '100002');
    const after = store.records.recordFields('100002');
    // Not one blank field left unseen: all go to a person, but for free text the template leaves to the scan.
    const untranscribed = (f: (typeof after)[number]) => (f.reasons as { code: string }[]).some((r) => r.code === 'not-transcribed');
    expect(after.filter((f) => f.status === 'blank' && !untranscribed(f))).toEqual([]);
    expect(store.records.record('100002')!.status).not.toBe('ready');
    store.close();
  });

  it('a page with its comb boxes written in is left alone', () => {
    const store = newStore();
    let n = 0;
    // A third of the comb fields written: an ordinary page 2 with one set of observations.
    savePage(store, '100003', 2, markedPage((f) => (n++ % 3 === 0 ? '1'.repeat(combBoxes(f).length) : undefined)));
    expect(droppedInkFindings(template, store.records.recordFields('100003'))).toEqual([]);
    store.close();
  });
});
