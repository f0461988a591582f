import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { Postcode } from '../src/record/schema.ts';
import type { PrfRecord } from '../src/record/schema.ts';
import { buildCadLog, CAD_COLUMNS, csvCell, toCsv } from '../src/synth/cad-log.ts';
import { generateRecord } from '../src/synth/records.ts';
import { createRng } from '../src/synth/rng.ts';

function intendedBatch(seed: number, n: number): PrfRecord[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => generateRecord(rng, String(700000 + i)).intendedRecord);
}
const records = intendedBatch(5, 200);

function parseCsv(csv: string): Record<string, string>[] {
  return parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

describe('buildCadLog', () => {
  it('is deterministic for a seed', () => {
    const a = buildCadLog(records, createRng('cad-1'));
    const b = buildCadLog(intendedBatch(5, 200), createRng('cad-1'));
    expect(b).toEqual(a);
    expect(buildCadLog(records, createRng('cad-2')).csv).not.toBe(a.csv);
  });

  it('lists every incident but the planted missing ones, plus the planted extra ones', () => {
    const { csv, gaps } = buildCadLog(records, createRng(11));
    const rows = parseCsv(csv);
    expect(Object.keys(rows[0]!)).toEqual([...CAD_COLUMNS]);
    expect(gaps.formsWithoutIncident.length).toBe(4); // 2% of 200
    expect(gaps.incidentsWithoutForm.length).toBe(6); // 3% of 200
    expect(rows).toHaveLength(200 - 4 + 6);

    const byNumber = new Map(rows.map((r) => [r.IncidentNumber!, r]));
    expect(byNumber.size).toBe(rows.length);
    const formNumbers = new Set(records.map((r) => r.incident.incidentNumber));
    for (const n of gaps.incidentsWithoutForm) {
      expect(byNumber.has(n)).toBe(true);
      expect(formNumbers.has(n)).toBe(false);
    }
    const missing = new Set(gaps.formsWithoutIncident);
    let atHome = 0;
    let homes = 0;
    for (const r of records) {
      const row = byNumber.get(r.incident.incidentNumber);
      if (missing.has(r.formSerial)) {
        expect(row).toBeUndefined();
        continue;
      }
      expect(row).toEqual({
        IncidentNumber: r.incident.incidentNumber,
        IncidentDate: r.incident.incidentDate,
        CallReceived: r.incident.times.callReceived,
        Category: r.incident.callCategory ?? '',
        CallSign: r.incident.callSign ?? '',
        FleetNumber: r.incident.fleetNumber ?? '',
        Postcode: row!.Postcode,
        Destination: r.outcome.conveyed && r.outcome.destination ? r.outcome.destination : '',
      });
      // The incident's location: the patient's home most of the time, else another postcode of the area.
      expect(Postcode.safeParse(row!.Postcode).success).toBe(true);
      if (r.patient.postcode) {
        homes++;
        if (row!.Postcode === r.patient.postcode) atHome++;
        else expect(row!.Postcode.split(' ')[0]!.replace(/\d+$/, '')).toBe(r.patient.postcode.split(' ')[0]!.replace(/\d+$/, ''));
      }
    }
    expect(atHome / homes).toBeGreaterThan(0.55);
    expect(atHome / homes).toBeLessThan(0.85);
  });

  it('makes extra incidents that look like the real ones, in the batch date range, sorted by date and time', () => {
    const { csv, gaps } = buildCadLog(records, createRng(3), { extraIncidents: 25, missingIncidents: 0 });
    const rows = parseCsv(csv);
    expect(gaps.formsWithoutIncident).toEqual([]);
    const dates = records.map((r) => r.incident.incidentDate).sort();
    for (const row of rows.filter((r) => gaps.incidentsWithoutForm.includes(r.IncidentNumber!))) {
      expect(row.IncidentNumber).toMatch(/^\d{10}$/);
      expect(row.IncidentDate! >= dates[0]! && row.IncidentDate! <= dates[dates.length - 1]!).toBe(true);
      expect(row.CallReceived).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
      expect(['C1', 'C2', 'C3', 'C4']).toContain(row.Category);
      expect(row.CallSign).toMatch(/^[A-Z]{2}\d{3}$/);
      if (row.Postcode) expect(Postcode.safeParse(row.Postcode).success).toBe(true);
    }
    const keys = rows.map((r) => `${r.IncidentDate} ${r.CallReceived}`);
    expect([...keys].sort()).toEqual(keys);
  });

  it('leaves all forms of a shared incident without a row when that incident is missing', () => {
    const shared = records.slice(0, 6).map((r, i) => ({ ...r, incident: { ...r.incident, incidentNumber: i < 3 ? '123456' : r.incident.incidentNumber } }));
    const { gaps, rows } = buildCadLog(shared, createRng(1), { missingIncidents: 4, extraIncidents: 0 });
    expect(rows).toHaveLength(0);
    expect(gaps.formsWithoutIncident.sort()).toEqual(shared.map((r) => r.formSerial).sort());
    const one = buildCadLog(shared, createRng(1), { missingIncidents: 0, extraIncidents: 0 });
    expect(one.rows.filter((r) => r.IncidentNumber === '123456')).toHaveLength(1);
  });

  it('copes with an empty or single-form batch', () => {
    const empty = buildCadLog([], createRng(1), { dateRange: ['2023-07-20', '2023-07-21'] });
    expect(empty.gaps.formsWithoutIncident).toEqual([]);
    expect(empty.rows).toHaveLength(1);
    expect(['2023-07-20', '2023-07-21']).toContain(empty.rows[0]!.IncidentDate);
    expect(buildCadLog(records.slice(0, 1), createRng(1)).gaps.formsWithoutIncident).toEqual([]);
  });
});

describe('csv helpers', () => {
  it('quotes cells with commas, quotes, line breaks or edge spaces, and round-trips through csv-parse', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(' x')).toBe('" x"');
    const cells = [['a,b', 'say "hi"', 'two\nlines', ' x', '']];
    const text = toCsv(['A', 'B', 'C', 'D', 'E'], cells);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parse(text, { columns: false })).toEqual([['A', 'B', 'C', 'D', 'E'], ...cells]);
  });

  it('refuses cells a spreadsheet would run as formulas', () => {
    for (const bad of ['=1+1', '+44', '-2', '@SUM(A1)', '\tx']) expect(() => csvCell(bad)).toThrow(/formula/);
  });
});
