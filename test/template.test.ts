import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { grayFromEncoded } from '../src/imaging/gray.ts';
import { findQr } from '../src/imaging/qr.ts';
import { describe, expect, it } from 'vitest';
import { PrfRecord } from '../src/record/schema.ts';
import { footprint, inside, overlaps } from '../src/template/geometry.ts';
import { checkTemplate, loadTemplate, parseTemplate, TemplateError } from '../src/template/load.ts';
import { drawFormPage } from '../src/template/draw-form.ts';
import { decodePageIdentity } from '../src/template/qr-payload.ts';
import { renderPng } from '../src/template/render-raster.ts';
import { parseSerialRange, renderFormsPdf } from '../src/template/render-forms.ts';

const standard = loadTemplate('standard-prf');
const clone = () => JSON.parse(JSON.stringify(standard));

function problemsOf(json: unknown): { path: string; message: string }[] {
  try {
    parseTemplate(json, 'test');
  } catch (e) {
    if (e instanceof TemplateError) return e.problems;
    throw e;
  }
  return [];
}

describe('template loader', () => {
  it('accepts the default template with no problems', () => {
    expect(checkTemplate(standard)).toEqual([]);
    expect(standard.pages).toHaveLength(2);
  });

  it('carries a short suggestion vocabulary on free-text fields, and rejects an empty entry by its JSON path', () => {
    const complaint = standard.fields.find((f) => f.id === 'clinical.complaint')!;
    const allergies = standard.fields.find((f) => f.id === 'clinical.allergies')!;
    expect(complaint.type === 'text' && complaint.vocabulary?.includes('CHEST PAIN')).toBe(true);
    expect(allergies.type === 'text' && allergies.vocabulary?.includes('NKDA')).toBe(true);
    const t = clone();
    const i = t.fields.findIndex((f: { id: string }) => f.id === 'clinical.allergies');
    t.fields[i].vocabulary = ['NKDA', ' '];
    expect(problemsOf(t).some((x) => x.path.startsWith(`fields[${i}].vocabulary`))).toBe(true);
  });

  it('rejects an unknown field type, naming its JSON path', () => {
    const t = clone();
    t.fields[3].type = 'barcode';
    const p = problemsOf(t);
    expect(p.some((x) => x.path.startsWith('fields[3]'))).toBe(true);
  });

  it('rejects a duplicate id', () => {
    const t = clone();
    t.fields[5].id = t.fields[2].id;
    expect(problemsOf(t)).toContainEqual({ path: 'fields[5].id', message: expect.stringContaining('duplicate id') });
  });

  it('rejects a zone off the page', () => {
    const t = clone();
    t.fields[0].zone.x = 205;
    expect(problemsOf(t)).toContainEqual({ path: 'fields[0].zone', message: expect.stringContaining('off the page') });
  });

  it('rejects overlapping zones', () => {
    const t = clone();
    const a = t.fields.findIndex((f: any) => f.id === 'patient.surname');
    const b = t.fields.findIndex((f: any) => f.id === 'patient.forenames');
    t.fields[b].zone = { ...t.fields[a].zone };
    const p = problemsOf(t);
    expect(p.some((x) => x.path === `fields[${b}].zone` && /overlaps "patient.surname"/.test(x.message))).toBe(true);
  });

  it('rejects a record path the record schema does not have', () => {
    const t = clone();
    t.fields[1].path = 'incident.weather';
    expect(problemsOf(t)).toContainEqual({ path: 'fields[1].path', message: expect.stringContaining('no field "incident.weather"') });
  });

  it('rejects a field type that cannot hold its path\'s value', () => {
    const t = clone();
    const i = t.fields.findIndex((f: any) => f.id === 'patient.nhs');
    t.fields[i].path = 'outcome.conveyed';
    expect(problemsOf(t).some((x) => x.path === `fields[${i}].path`)).toBe(true);
  });

  it('rejects a template where no field fills a required record field', () => {
    const t = clone();
    t.fields = t.fields.filter((f: any) => f.path !== 'incident.incidentNumber');
    expect(problemsOf(t)).toContainEqual({ path: 'fields', message: expect.stringContaining('"incident.incidentNumber" is filled by no field') });
  });

  it('reports every problem at once', () => {
    const t = clone();
    t.fields[0].zone.x = 205;
    t.fields[1].path = 'nope';
    expect(problemsOf(t).length).toBeGreaterThanOrEqual(2);
  });

  it('reports a file that is not JSON, and an unknown name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{ not json');
    expect(() => loadTemplate(f)).toThrow(/not JSON/);
    expect(() => loadTemplate('no-such-template')).toThrow(/no built-in template is called "no-such-template"/);
  });
});

describe('default template layout', () => {
  it('keeps every zone on its page and no two zones overlapping', () => {
    const page = { x: 0, y: 0, w: standard.pageSize.widthMm, h: standard.pageSize.heightMm };
    for (const f of standard.fields) expect(inside(footprint(f), page)).toBe(true);
    for (const a of standard.fields)
      for (const b of standard.fields)
        if (a !== b && a.page === b.page) expect(overlaps(footprint(a), footprint(b)), `${a.id} vs ${b.id}`).toBe(false);
  });

  it('asks for codes and numbers in boxes, not free writing', () => {
    const byPath = new Map(standard.fields.map((f) => [f.path, f]));
    expect(byPath.get('patient.nhsNumber')).toMatchObject({ type: 'digits', boxes: 10 });
    expect(byPath.get('incident.incidentDate')?.type).toBe('date');
    expect(byPath.get('incident.times.atScene')?.type).toBe('time');
    for (const p of ['incident.callCategory', 'patient.sex', 'observations[0].acvpu', 'observations[0].inspired', 'outcome.conveyed', 'drugs[5].route'])
      expect(byPath.get(p)?.type, p).toBe('choice');
    expect(standard.fields.filter((f) => f.path.endsWith('.time') && f.path.startsWith('observations'))).toHaveLength(3);
    expect(standard.fields.filter((f) => /^drugs\[\d\]\.drug$/.test(f.path)).length).toBeGreaterThanOrEqual(6);
    const textPaths = standard.fields.filter((f) => f.type === 'text').map((f) => f.path).sort();
    expect(textPaths).toEqual(
      ['clinical.allergies', 'clinical.history', 'clinical.medications', 'clinical.pastMedicalHistory', 'clinical.presentingComplaint', 'notes', 'patient.address'].sort(),
    );
  });
});

describe('record schema', () => {
  const sample = JSON.parse(readFileSync(new URL('../fixtures/sample-record.json', import.meta.url), 'utf8'));

  it('accepts a complete sample record', () => {
    expect(PrfRecord.safeParse(sample).success).toBe(true);
  });

  const breakers: [string, (r: any) => void][] = [
    ['incident', (r) => (r.incident.times.atScene = '25:99')],
    ['crew', (r) => (r.crew = [{}, {}, {}, {}])],
    ['patient', (r) => (r.patient.postcode = 'NOT A POSTCODE')],
    ['clinical', (r) => (r.clinical.noKnownAllergies = 'yes')],
    ['observations', (r) => (r.observations[0].spo2 = 140)],
    ['drugs', (r) => (r.drugs[0].route = 'EAR')],
    ['outcome', (r) => (r.outcome.destination = 'A HOSPITAL')],
    ['clinician', (r) => (r.clinician.staffNumber = 'X1')],
    ['incident date', (r) => (r.incident.incidentDate = '2023-02-30')],
  ];
  for (const [group, breakIt] of breakers) {
    it(`rejects a record with its ${group} broken`, () => {
      const r = structuredClone(sample);
      breakIt(r);
      const res = PrfRecord.safeParse(r);
      expect(res.success).toBe(false);
      expect(String(res.error?.issues[0]?.path[0])).toBe(group.split(' ')[0]);
    });
  }
});

describe('form rendering', () => {
  it('renders 3 serials as 6 PDF pages, written owner-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forms-'));
    const out = join(dir, 'forms.pdf');
    const { pages } = await renderFormsPdf(standard, parseSerialRange('1000-1002'), out);
    expect(pages).toBe(6);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const doc = await PDFDocument.load(readFileSync(out));
    expect(doc.getPageCount()).toBe(6);
    const [w, h] = [doc.getPage(0).getWidth(), doc.getPage(0).getHeight()];
    expect(w).toBeCloseTo((210 / 25.4) * 72, 0);
    expect(h).toBeCloseTo((297 / 25.4) * 72, 0);
  });

  it('puts a QR code on every page that a real decoder reads back as the right template, serial and page', async () => {
    for (const serial of ['001000', '001001', '001002']) {
      for (const page of [1, 2]) {
        const png = await renderPng(drawFormPage(standard, serial, page), 150);
        const qr = findQr(await grayFromEncoded(png), 150 / 25.4);
        expect(qr, `${serial} p${page}`).not.toBeNull();
        expect(decodePageIdentity(qr!.payload)).toEqual({ templateId: 'standard-prf', templateVersion: 1, serial, page });
      }
    }
  });

  it('renders PNG previews at the dpi asked', async () => {
    const png = await renderPng(drawFormPage(standard, '000001', 1), 150);
    const meta = await sharp(png).metadata();
    expect(meta.width).toBe(Math.round((210 / 25.4) * 150));
    expect(meta.height).toBe(Math.round((297 / 25.4) * 150));
  });

  it('refuses reversed and oversized serial ranges', () => {
    expect(() => parseSerialRange('1099-1000')).toThrow(/reversed/);
    expect(() => parseSerialRange('1-100001')).toThrow(/at most 100000/);
    expect(() => parseSerialRange('abc')).toThrow(/should look like/);
    expect(parseSerialRange('1000-1099')).toEqual({ first: 1000, last: 1099 });
  });
});
