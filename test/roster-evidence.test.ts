// The trust's staff list as evidence: a crew member's staff number on the list, the clinician's and a drug giver's
// number on the list and among the crew's, and an HCPC number or clinician's name that is what the list gives for the
// number beside it. Unit checks on the pure evidence, then a real job store: a list as an ESR export or a spreadsheet
// leaves it (semicolons, first and last name in two columns, a repeated number, a row without a number), validate
// accepting on it only at a measured threshold, and lists without their staff-number column refused by name.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importStaffRoster, RosterFileError, tidyHcpc, tidyName } from '../src/job/roster-import.ts';
import type { RosterEntry, RosterLookup } from '../src/job/roster-store.ts';
import { JobStore } from '../src/job/store.ts';
import { CALIBRATION_FILE, validateJob } from '../src/job/validate.ts';
import { recordEvidence } from '../src/record/field-evidence.ts';
import { nameForms, rosterFindings } from '../src/record/roster-check.ts';
import { combBoxes } from '../src/template/geometry.ts';
import { boxes, fieldStatus, makeReadJob, sample, template } from './helpers/read-job.ts';

const fieldAt = (path: string) => template.fields.find((f) => f.path === path)!;
const entries: RosterEntry[] = [
  { staffNumber: '104233', name: 'JANE ANNE SMITH', hcpcNumber: 'PA123456', line: 2 },
  { staffNumber: '208811', name: 'OMAR HALL', hcpcNumber: null, line: 3 },
  // A misread 104233 (the 3 read as 8) names another member of staff.
  { staffNumber: '104238', name: 'PETER JONES', hcpcNumber: 'PA999999', line: 4 },
];
const lookup: RosterLookup = (n) => entries.find((e) => e.staffNumber === n);
const rec = (change: (r: Record<string, any>) => void = () => {}) => {
  const r: Record<string, any> = structuredClone({ crew: sample.crew, clinician: sample.clinician, drugs: sample.drugs });
  change(r);
  return r;
};
const pad = (path: string, s: string) => s.padEnd(combBoxes(fieldAt(path)).length, ' ');
const evidenceFor = (record: Record<string, unknown>, path: string, text: string, b = boxes(pad(path, text)), roster: RosterLookup | null = lookup) =>
  recordEvidence(record, [{ field: fieldAt(path), boxes: b }], roster ? { roster } : {}).get(path);

describe('staff-list evidence over the n-best readings', () => {
  it("a crew member's staff number is evidenced when the list holds it, and not otherwise", () => {
    expect(evidenceFor(rec(), 'crew[0].staffNumber', '104233')).toMatchObject({ kind: 'roster', confidence: 1 });
    expect(evidenceFor(rec((r) => (r.crew[1].staffNumber = '555555')), 'crew[1].staffNumber', '555555')).toBeUndefined();
    expect(evidenceFor(rec(), 'crew[0].staffNumber', '104233', undefined, null)).toBeUndefined();
  });

  it('two listed readings of one number are too close to call: no evidence', () => {
    // The last box is a 3 or an 8, and both numbers are on the list.
    const split = boxes(pad('crew[0].staffNumber', '104233'), 0.999, { 5: [{ char: '3', p: 0.7 }, { char: '8', p: 0.3 }] });
    expect(evidenceFor(rec(), 'crew[0].staffNumber', '', split)).toBeUndefined();
  });

  it("the clinician's and a drug giver's number must be on the list and one of the crew's", () => {
    expect(evidenceFor(rec(), 'clinician.staffNumber', '104233')).toMatchObject({ kind: 'roster' });
    expect(evidenceFor(rec(), 'drugs[0].givenBy', '104233')).toMatchObject({ kind: 'roster' });
    // On the list, but not of this crew (a misread that happens to name someone else): no evidence.
    expect(evidenceFor(rec((r) => (r.drugs[0].givenBy = '104238')), 'drugs[0].givenBy', '104238')).toBeUndefined();
    // No crew number read that the list holds: nothing to hold the giver to.
    expect(evidenceFor(rec((r) => (r.crew = [])), 'drugs[0].givenBy', '104233')).toBeUndefined();
  });

  it('an HCPC number passes only as the list gives it for the staff number beside it', () => {
    expect(evidenceFor(rec(), 'crew[0].hcpcNumber', 'PA123456')).toMatchObject({ kind: 'roster' });
    expect(evidenceFor(rec((r) => (r.crew[0].hcpcNumber = 'PA123458')), 'crew[0].hcpcNumber', 'PA123458')).toBeUndefined();
    // The staff number beside it misread as another member's: that member's HCPC is not this one, so no evidence.
    expect(evidenceFor(rec((r) => (r.crew[0].staffNumber = '104238')), 'crew[0].hcpcNumber', 'PA123456')).toBeUndefined();
    // A member the list gives no HCPC number for: the list says nothing of the field.
    expect(evidenceFor(rec((r) => (r.crew[1].hcpcNumber = 'PA123456')), 'crew[1].hcpcNumber', 'PA123456')).toBeUndefined();
  });

  it("the clinician's name passes in any of the ways a form holds the listed name", () => {
    expect(evidenceFor(rec(), 'clinician.name', 'J SMITH')).toMatchObject({ kind: 'roster' });
    expect(evidenceFor(rec((r) => (r.clinician.name = 'JANE SMITH')), 'clinician.name', 'JANE SMITH')).toMatchObject({ kind: 'roster' });
    expect(evidenceFor(rec((r) => (r.clinician.name = 'J SMYTH')), 'clinician.name', 'J SMYTH')).toBeUndefined();
    expect(evidenceFor(rec((r) => (r.clinician.staffNumber = '208811')), 'clinician.name', 'J SMITH')).toBeUndefined();
    expect([...nameForms('JANE ANNE SMITH')].sort()).toEqual(['J A SMITH', 'J SMITH', 'JA SMITH', 'JANE ANNE SMITH', 'JANE SMITH', 'SMITH']);
    expect([...nameForms('SMITH')]).toEqual(['SMITH']);
    expect([...nameForms('')]).toEqual([]);
  });

  it('an HCPC number or name the list gives otherwise for the number beside it is a finding naming that field only', () => {
    const f = rosterFindings(rec((r) => { r.crew[0].hcpcNumber = 'PA123458'; r.clinician.name = 'J SMYTH'; }), lookup);
    expect(f.map((x) => [x.code, x.severity, x.paths])).toEqual([
      ['roster-mismatch', 'review', ['crew[0].hcpcNumber']],
      ['roster-mismatch', 'review', ['clinician.name']],
    ]);
    expect(f[0]!.message).toBe("The HCPC number of crew member 1 is not what the staff list gives for staff number 104233 (line 2), which has PA123456.");
    expect(rosterFindings(rec(), lookup)).toEqual([]);
    // A number the list lacks, or a member it gives no HCPC for, is no finding; nor is anything without a list.
    expect(rosterFindings(rec((r) => { r.crew[0].staffNumber = '555555'; r.crew[1].hcpcNumber = 'PA000001'; }), lookup)).toEqual([]);
    expect(rosterFindings(rec((r) => (r.clinician.name = 'J SMYTH')), undefined)).toEqual([]);
  });

  it('tidies names and HCPC numbers as a form holds them (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const n = tidyName(s);
        expect(n === null || (/^[A-Z' -]+$/.test(n) && n === n.trim() && !n.includes('  '))).toBe(true);
        const h = tidyHcpc(s);
        expect(h === null || /^[A-Z0-9]+$/.test(h)).toBe(true);
      }),
    );
    expect(tidyName('  o\'Brien-smith,  Siân ')).toBe("O'BRIEN-SMITH SI N");
    expect(tidyHcpc('pa 123 456')).toBe('PA123456');
  });
});

describe('validate with the staff list in the job', () => {
  it('imports an ESR-style list and accepts staff numbers, the HCPC number and the name on it, only at a measured threshold', async () => {
    const dir = makeReadJob(sample, 0.95);
    validateJob({ jobDir: dir, today: '2026-01-01' });
    for (const p of ['crew[0].staffNumber', 'crew[0].hcpcNumber', 'clinician.name', 'clinician.staffNumber', 'drugs[0].givenBy']) {
      expect(fieldStatus(dir, p).status, p).toBe('needs-review');
    }
    const file = join(dir, '..', 'staff.csv');
    writeFileSync(
      file,
      '\uFEFFAssignment No;Last Name;First Name;HCPC Registration;\r\n' +
        '104233;Smith;Jane;pa 123456;\r\n' +
        ';Nobody;Noone;;\r\n' +
        '208811;Hall;Omar;;\r\n' +
        '104233;Smith;Joan;PA000001;\r\n' +
        'X12;Bad;Row;;\r\n',
    );
    const store = JobStore.open(dir);
    const summary = await importStaffRoster(store, file);
    expect(summary).toEqual({ rows: 5, imported: 2, duplicates: 1, unreadable: 2, has: { name: true, hcpc: true } });
    expect(store.roster.lookup()!('104233')).toEqual({ staffNumber: '104233', name: 'JANE SMITH', hcpcNumber: 'PA123456', line: 2 });
    store.close();

    validateJob({ jobDir: dir, today: '2026-01-01' });
    for (const p of ['crew[0].staffNumber', 'crew[1].staffNumber', 'crew[0].hcpcNumber', 'clinician.name', 'clinician.staffNumber', 'drugs[0].givenBy']) {
      expect(fieldStatus(dir, p).status, p).toBe('accepted');
    }
    // The list says nothing of the NHS number: it stays as it was.
    expect(fieldStatus(dir, 'patient.nhsNumber').status).toBe('needs-review');

    // A calibration that has not measured staff-list evidence: the list alone raises nothing.
    const calFile = join(dir, CALIBRATION_FILE);
    const cal = JSON.parse(readFileSync(calFile, 'utf8'));
    for (const k of Object.keys(cal.thresholds)) if (k.includes(':roster')) delete cal.thresholds[k];
    writeFileSync(calFile, JSON.stringify(cal));
    validateJob({ jobDir: dir, today: '2026-01-01' });
    for (const p of ['crew[0].staffNumber', 'crew[0].hcpcNumber', 'clinician.name']) expect(fieldStatus(dir, p).status, p).toBe('needs-review');
  });

  it('an HCPC number read surely but unlike the list goes to a person, however sure the boxes are', async () => {
    const slip = structuredClone(sample);
    slip.crew[0]!.hcpcNumber = 'PA123458';
    const dir = makeReadJob(slip, 0.9999);
    const cal = JSON.parse(readFileSync(join(dir, CALIBRATION_FILE), 'utf8'));
    cal.thresholds.capitals = 0.99; // capitals accepted on their boxes alone in this calibration
    writeFileSync(join(dir, CALIBRATION_FILE), JSON.stringify(cal));
    validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(fieldStatus(dir, 'crew[0].hcpcNumber').status).toBe('accepted');
    const file = join(dir, '..', 'staff.csv');
    writeFileSync(file, 'StaffNumber,Name,HCPC\n104233,Jane Smith,PA123456\n208811,Omar Hall,\n');
    const store = JobStore.open(dir);
    await importStaffRoster(store, file);
    store.close();
    validateJob({ jobDir: dir, today: '2026-01-01' });
    const hcpc = fieldStatus(dir, 'crew[0].hcpcNumber');
    expect(hcpc.status).toBe('needs-review');
    expect((hcpc.reasons as { code: string }[]).map((r) => r.code)).toContain('roster-mismatch');
    expect(fieldStatus(dir, 'crew[0].staffNumber').status).toBe('accepted');
  });

  it('a new import replaces the list before; a list with no staff-number column is refused, naming the file and what it found', async () => {
    const dir = makeReadJob(sample, 0.95);
    const store = JobStore.open(dir);
    const first = join(dir, '..', 'staff-1.csv');
    writeFileSync(first, 'StaffNumber,Name\n104233,Jane Smith\n208811,Omar Hall\n');
    expect((await importStaffRoster(store, first)).imported).toBe(2);
    const second = join(dir, '..', 'staff-2.csv');
    writeFileSync(second, 'Staff No.\n104233\n');
    expect(await importStaffRoster(store, second)).toEqual({ rows: 1, imported: 1, duplicates: 0, unreadable: 0, has: { name: false, hcpc: false } });
    expect(store.roster.count()).toBe(1);

    const bad = join(dir, '..', 'staff-3.csv');
    writeFileSync(bad, 'Employee,Role\nJane,paramedic\n');
    const refused = importStaffRoster(store, bad);
    await expect(refused).rejects.toThrow(RosterFileError);
    await expect(importStaffRoster(store, bad)).rejects.toThrow(/staff list .*staff-3\.csv is missing a column: staff number .*Columns found: "Employee", "Role"/);
    const empty = join(dir, '..', 'staff-4.csv');
    writeFileSync(empty, '');
    await expect(importStaffRoster(store, empty)).rejects.toThrow(/staff-4\.csv is empty: no header line/);
    // The list imported before a refused one stays in force.
    expect(store.roster.count()).toBe(1);
    store.close();
  });
});
