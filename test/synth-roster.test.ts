// The synthetic staff list synth writes beside every corpus: everyone the forms name, with the name and HCPC number
// the forms give them, among the trust's other staff; the same bytes for the same seed; read back by the importer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { importStaffRoster } from '../src/job/roster-import.ts';
import { JobStore } from '../src/job/store.ts';
import type { PrfRecord } from '../src/record/schema.ts';
import { nameForms } from '../src/record/roster-check.ts';
import { generateRecord } from '../src/synth/records.ts';
import { createRng } from '../src/synth/rng.ts';
import { buildStaffRoster, DEFAULT_ROSTER_SIZE, ROSTER_COLUMNS } from '../src/synth/staff-roster.ts';

const rng = createRng(9);
const records: PrfRecord[] = Array.from({ length: 150 }, (_, i) => generateRecord(rng, String(800000 + i)).intendedRecord);

describe('buildStaffRoster', () => {
  const { csv, rows } = buildStaffRoster(records, createRng('roster-1'));

  it('is deterministic for a seed, of a trust\'s size, one row a staff number, sorted by it', () => {
    expect(buildStaffRoster(records, createRng('roster-1')).csv).toBe(csv);
    expect(buildStaffRoster(records, createRng('roster-2')).csv).not.toBe(csv);
    expect(rows).toHaveLength(DEFAULT_ROSTER_SIZE);
    expect(new Set(rows.map((r) => r.StaffNumber)).size).toBe(rows.length);
    expect(rows.map((r) => r.StaffNumber)).toEqual([...rows.map((r) => r.StaffNumber)].sort());
    const parsed = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0]!)).toEqual([...ROSTER_COLUMNS]);
    expect(buildStaffRoster(records, createRng('roster-1'), { size: 10 }).rows.length).toBeLessThan(DEFAULT_ROSTER_SIZE);
  });

  it('holds every crew member the forms name, with their HCPC number, and the clinician under the name the form gives', () => {
    const byNumber = new Map(rows.map((r) => [r.StaffNumber, r]));
    for (const r of records) {
      for (const m of r.crew) {
        const listed = byNumber.get(m.staffNumber!);
        expect(listed, m.staffNumber).toBeDefined();
        if (m.hcpcNumber) expect(listed!.HcpcNumber).toBe(m.hcpcNumber);
        if (m.role === 'paramedic') expect(listed!.HcpcNumber).toMatch(/^PA\d{6}$/);
      }
      const clinician = byNumber.get(r.clinician.staffNumber!)!;
      // A number two forms share keeps the first form's name; every other clinician's written name is a listed form.
      const first = records.find((o) => o.crew.some((m) => m.staffNumber === r.clinician.staffNumber))!;
      if (first === r) expect(nameForms(clinician.Name.toUpperCase()).has(r.clinician.name!), r.formSerial).toBe(true);
    }
  });

  it('imports as a trust\'s list would', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'roster-')), 'job');
    const store = JobStore.open(dir, { create: true, templateId: 'standard-prf', templateVersion: 1 });
    const file = join(dir, '..', 'staff-roster.csv');
    writeFileSync(file, csv);
    expect(await importStaffRoster(store, file)).toEqual({ rows: rows.length, imported: rows.length, duplicates: 0, unreadable: 0, has: { name: true, hcpc: true } });
    const r0 = records[0]!;
    expect(store.roster.lookup()!(r0.crew[0]!.staffNumber!)?.staffNumber).toBe(r0.crew[0]!.staffNumber);
    store.close();
  });
});
