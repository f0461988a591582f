// Reconcile against a CAD incident log: real CSV files written to a temp folder, a real job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { detectDelimiter, parseCadDate, reconcileJob, ReconcileError, reportToCsv } from '../src/export/reconcile.ts';
import { buildJobFixture, type JobFixture } from './helpers/job-fixture.ts';

let fx: JobFixture;
let tmp: string;
beforeAll(() => {
  // five PRFs, incidents 40000001..40000005, all dated 2023-07-19
  fx = buildJobFixture({ records: 5, notReady: 1 });
  // PRF 5 is a second form for incident 40000004 and the same patient: give records 4 and 5 one test NHS number
  const [s4, s5] = [fx.records[3]!.formSerial, fx.records[4]!.formSerial];
  fx.store.records.updateFieldValidation(s5, 'incident.incidentnumber', { value: '40000004', status: 'accepted', reasons: [] });
  for (const s of [s4, s5]) fx.store.records.updateFieldValidation(s, 'patient.nhsnumber', { value: '9990000018', status: 'accepted', reasons: [] });
  fx.store.close();
  tmp = mkdtempSync(join(tmpdir(), 'prf-cad-'));
});
afterAll(() => fx.store.close());

function cad(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('reconcileJob', () => {
  it('reports incidents without PRF, PRFs without incident, same patient twice, date mismatches, duplicates', async () => {
    const path = cad(
      'basic.csv',
      [
        'IncidentNumber,IncidentDate,Category',
        '40000001,2023-07-19 23:40:11,C2',
        '40000002,19/07/2023 23:41,C2',
        '40000004,2023-07-20T00:01:00,C1', // date disagrees with PRFs 4 and 5
        '40000009,2023-07-19 22:00,C3', // no PRF
        '40000009,2023-07-19 22:00,C3', // duplicate row
        '40000777,2023-06-01 10:00,C4', // outside the PRFs' dates
      ].join('\n') + '\n',
    );
    const r = await reconcileJob({ jobDir: fx.dir, cadCsvPath: path });
    expect(r.cadFile).toMatchObject({ rows: 6, delimiter: ',', columns: { incidentNumber: 'IncidentNumber', incidentDate: 'IncidentDate' } });
    expect(r.window).toEqual({ from: '2023-07-19', to: '2023-07-19' });
    expect(r.prfCount).toBe(5);
    expect(r.matchedPrfs).toBe(4);
    expect(r.incidentsWithoutPrf).toEqual([{ incidentNumber: '40000009', incidentDate: '2023-07-19', line: 5 }]);
    expect(r.incidentsOutsideWindow).toBe(1);
    expect(r.prfsWithoutIncident.map((p) => p.incidentNumber)).toEqual(['40000003']);
    expect(r.duplicateIncidents).toEqual([{ incidentNumber: '40000009', lines: [5, 6] }]);
    expect(r.samePatientTwice).toEqual([{ incidentNumber: '40000004', formSerials: ['100004', '100005'] }]);
    expect(r.dateMismatches.map((d) => [d.formSerial, d.prfDate, d.cadDate])).toEqual([
      ['100004', '2023-07-19', '2023-07-20'],
      ['100005', '2023-07-19', '2023-07-20'],
    ]);

    const csv = reportToCsv(r);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.finding).sort()).toEqual(
      ['date-mismatch', 'date-mismatch', 'duplicate-cad-incident', 'incident-without-prf', 'prf-without-incident', 'same-patient-twice'].sort(),
    );
    expect(csv).not.toMatch(/999\d{7}/); // no NHS numbers in the report
  });

  it('handles a BOM, `;` delimiters, other header spellings and quoted cells', async () => {
    const path = cad('semi.csv', '\uFEFF"CAD Number";"Call Date";Notes\r\n40000001;19/07/2023;"a;b"\r\n40000002;19.07.2023;x\r\n');
    const r = await reconcileJob({ jobDir: fx.dir, cadCsvPath: path });
    expect(r.cadFile.delimiter).toBe(';');
    expect(r.cadFile.columns).toEqual({ incidentNumber: 'CAD Number', incidentDate: 'Call Date' });
    expect(r.matchedPrfs).toBe(2);
    expect(r.dateMismatches).toEqual([]);
  });

  it('handles tab delimiters and columns named by the caller', async () => {
    const path = cad('tab.tsv', 'Ref\tWhen\n40000003\t2023-07-19\n');
    const r = await reconcileJob({ jobDir: fx.dir, cadCsvPath: path, columns: { incidentNumber: 'Ref', incidentDate: 'When' } });
    expect(r.cadFile.delimiter).toBe('\t');
    expect(r.matchedPrfs).toBe(1);
  });

  it('names every missing column', async () => {
    const path = cad('missing.csv', 'Something,Else\n1,2\n');
    await expect(reconcileJob({ jobDir: fx.dir, cadCsvPath: path })).rejects.toThrow(ReconcileError);
    await expect(reconcileJob({ jobDir: fx.dir, cadCsvPath: path })).rejects.toThrow(/missing columns: incident number .*; incident date .*Columns found: "Something", "Else"/);
    await expect(reconcileJob({ jobDir: fx.dir, cadCsvPath: path, columns: { incidentNumber: 'Something', incidentDate: 'Nope' } })).rejects.toThrow(
      /missing a column: incident date \(column "Nope"\)/,
    );
  });

  it('streams a 100,000-row log', async () => {
    const path = join(tmp, 'big.csv');
    const out = createWriteStream(path);
    out.write('IncidentNumber,IncidentDate,CallSign\n');
    for (let i = 0; i < 100_000; i++) {
      // 1,000 rows on the PRFs' day, the rest on other days
      const date = i % 100 === 0 ? '2023-07-19' : '2023-06-15';
      if (!out.write(`${50000000 + i},${date} 12:00,RRV${i % 50}\n`)) await once(out, 'drain');
    }
    out.write('40000001,2023-07-19,RRV1\n');
    out.end();
    await once(out, 'finish');
    const r = await reconcileJob({ jobDir: fx.dir, cadCsvPath: path, maxListed: 50 });
    expect(r.cadFile.rows).toBe(100_001);
    expect(r.incidentsWithoutPrfTotal).toBe(1000);
    expect(r.incidentsWithoutPrf).toHaveLength(50); // listed up to the cap, counted in full
    expect(r.incidentsOutsideWindow).toBe(99_000);
    expect(r.matchedPrfs).toBe(1);
  });
});

describe('helpers', () => {
  it('detects the delimiter from the header line, ignoring quoted ones', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
    expect(detectDelimiter('a\tb')).toBe('\t');
    expect(detectDelimiter('single')).toBe(',');
  });
  it('parses CAD dates in ISO and UK forms, and refuses impossible ones', () => {
    expect(parseCadDate('2023-07-19T23:40:00Z')).toBe('2023-07-19');
    expect(parseCadDate('9/7/2023 10:00')).toBe('2023-07-09');
    expect(parseCadDate('31/02/2023')).toBeNull();
    expect(parseCadDate('07/19/2023')).toBeNull(); // US order is not guessed
  });
});
