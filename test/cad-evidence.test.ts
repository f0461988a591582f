// The CAD log as evidence: an incident number, date, call sign and call-received time that agree with one incident of
// the trust's CAD export. Unit checks on the pure evidence, then a real job store: the log imported from a file a
// spreadsheet wrote (semicolons, a repeated number, a blank row), validate accepting on it only at a measured
// threshold, a review decision keeping it, and a CAD file with a missing column refused by name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CadIncidentFacts, CadLookup } from '../src/job/cad-store.ts';
import { importCadLog, parseCadTime } from '../src/job/cad-import.ts';
import { JobStore } from '../src/job/store.ts';
import { validateJob } from '../src/job/validate.ts';
import { recordEvidence } from '../src/record/field-evidence.ts';
import { cadFindings } from '../src/record/cad-check.ts';
import { combBoxes } from '../src/template/geometry.ts';
import { boxes, fieldStatus, makeReadJob, sample, template } from './helpers/read-job.ts';

const fieldAt = (path: string) => template.fields.find((f) => f.path === path)!;

const incident: CadIncidentFacts = { incidentNumber: '40012345', incidentDate: '2023-07-19', callReceived: '23:41', callSign: 'SC214', postcode: 'SO16 6YD', destination: 'RHM01', fleetNumber: '1234', line: 2 };
// CAD numbers run in sequence: the incident before is a real one, on the same day, with another crew.
const before: CadIncidentFacts = { incidentNumber: '40012344', incidentDate: '2023-07-19', callReceived: '23:30', callSign: 'SC101', postcode: null, destination: null, fleetNumber: null, line: 3 };
const lookup: CadLookup = (n) => [incident, before].find((c) => c.incidentNumber === n);
const rec = (change: (i: Record<string, any>) => void = () => {}) => {
  const i: Record<string, any> = { incidentNumber: '40012345', incidentDate: '2023-07-19', callSign: 'SC214', times: { callReceived: '23:41' } };
  change(i);
  return { incident: i };
};
const pad = (path: string, s: string) => s.padEnd(combBoxes(fieldAt(path)).length, ' ');
const evidenceFor = (record: Record<string, unknown>, path: string, text: string, b = boxes(pad(path, text)), cad: CadLookup | null = lookup) =>
  recordEvidence(record, [{ field: fieldAt(path), boxes: b }], cad ? { cad } : {}).get(path);

describe('CAD evidence over the n-best readings', () => {
  it('an incident number is evidenced when two of the form\'s other incident facts agree with its CAD incident', () => {
    expect(evidenceFor(rec(), 'incident.incidentNumber', '40012345')).toMatchObject({ kind: 'cad' });
    // The date alone agrees with the neighbouring incident too: not enough.
    expect(evidenceFor(rec((i) => { delete i.callSign; delete i.times; }), 'incident.incidentNumber', '40012345')).toBeUndefined();
    expect(evidenceFor(rec((i) => { i.incidentNumber = '40012344'; }), 'incident.incidentNumber', '40012344')).toBeUndefined();
  });

  it('a misread digit of the number is replaced by the CAD incident only when the classifier is sure of it', () => {
    const sure = boxes(pad('incident.incidentNumber', '40012845'), 0.999, { 5: [{ char: '8', p: 0.5 }, { char: '3', p: 0.49 }] });
    expect(evidenceFor(rec((i) => (i.incidentNumber = '40012845')), 'incident.incidentNumber', '', sure)).toMatchObject({ kind: 'cad-alt', text: pad('incident.incidentNumber', '40012345') });
    const unsure = boxes(pad('incident.incidentNumber', '40012845'), 0.999, { 5: [{ char: '8', p: 0.95 }, { char: '3', p: 0.04 }] });
    expect(evidenceFor(rec((i) => (i.incidentNumber = '40012845')), 'incident.incidentNumber', '', unsure)).toBeUndefined();
  });

  it('the date, call sign and call time are evidenced by the incident the number names, with one more fact agreeing', () => {
    expect(evidenceFor(rec(), 'incident.callSign', 'SC214')).toMatchObject({ kind: 'cad' });
    expect(evidenceFor(rec(), 'incident.times.callReceived', '2341')).toMatchObject({ kind: 'cad' });
    expect(evidenceFor(rec(), 'incident.incidentDate', '19072023')).toMatchObject({ kind: 'cad' });
    // A call sign the CAD does not have for this incident: no evidence, and no error either.
    expect(evidenceFor(rec((i) => (i.callSign = 'SC215')), 'incident.callSign', 'SC215')).toBeUndefined();
    // Nothing else agrees (another day, another time): the number may be misread; no evidence.
    expect(evidenceFor(rec((i) => { i.incidentDate = '2023-07-20'; i.times.callReceived = '10:00'; }), 'incident.callSign', 'SC214')).toBeUndefined();
  });

  it("the patient's postcode and the destination are evidenced by the incident the number names; unlike it, they are no finding", () => {
    const withPatient = (postcode: string, destination: string) => ({ ...rec(), patient: { postcode }, outcome: { conveyed: true, destination } });
    expect(evidenceFor(withPatient('SO16 6YD', 'RHM01'), 'patient.postcode', 'SO16 6YD')).toMatchObject({ kind: 'cad' });
    expect(evidenceFor(withPatient('SO16 6YD', 'RHM01'), 'outcome.destination', 'RHM01')).toMatchObject({ kind: 'cad' });
    expect(evidenceFor(rec((i) => (i.fleetNumber = '1234')), 'incident.fleetNumber', '1234')).toMatchObject({ kind: 'cad' });
    expect(evidenceFor(rec((i) => (i.fleetNumber = '1284')), 'incident.fleetNumber', '1284')).toBeUndefined();
    // A fleet number unlike the log's is a finding, as a call sign is: control logs the vehicle with the call sign.
    expect(cadFindings(rec((i) => (i.fleetNumber = '1284')), lookup).map((x) => x.paths)).toEqual([['incident.fleetNumber']]);
    // Not at home, or taken elsewhere: no evidence, and nothing for a person to look at on that account.
    expect(evidenceFor(withPatient('SO15 2AB', 'RHU03'), 'patient.postcode', 'SO15 2AB')).toBeUndefined();
    expect(evidenceFor(withPatient('SO15 2AB', 'RHU03'), 'outcome.destination', 'RHU03')).toBeUndefined();
    expect(cadFindings(withPatient('SO15 2AB', 'RHU03'), lookup)).toEqual([]);
    // Nothing else agrees with the incident: the number may be misread, so no evidence from it.
    const alone = { incident: { incidentNumber: '40012345' }, patient: { postcode: 'SO16 6YD' } };
    expect(evidenceFor(alone, 'patient.postcode', 'SO16 6YD')).toBeUndefined();
  });

  it('no CAD log imported: no CAD evidence (the call time falls back to its order check)', () => {
    expect(evidenceFor(rec(), 'incident.incidentNumber', '40012345', undefined, null)).toBeUndefined();
  });

  it('a fact the CAD incident gives otherwise is a finding naming it, and the number unless two other facts vouch for it; a number the log lacks is none', () => {
    // Call sign and call time agree: the number names this incident, so the date alone is for a person.
    const f = cadFindings(rec((i) => (i.incidentDate = '2023-07-18')), lookup);
    expect(f.map((x) => [x.code, x.severity, x.paths])).toEqual([['cad-mismatch', 'review', ['incident.incidentDate']]]);
    // Only the call time agrees as well: the number may be the misread one.
    const both = cadFindings(rec((i) => { i.incidentDate = '2023-07-18'; i.callSign = 'SC215'; }), lookup);
    expect(both.map((x) => x.paths)).toEqual([
      ['incident.incidentDate', 'incident.incidentNumber'],
      ['incident.callSign', 'incident.incidentNumber'],
    ]);
    expect(f[0]!.message).toBe('The incident date does not match the CAD log for incident 40012345 (line 2), which has 2023-07-19.');
    expect(cadFindings(rec(), lookup)).toEqual([]);
    expect(cadFindings(rec((i) => (i.incidentNumber = '40099999')), lookup)).toEqual([]);
    expect(cadFindings(rec((i) => delete i.callSign), lookup)).toEqual([]);
    expect(cadFindings(rec((i) => (i.callSign = 'SC215')), undefined)).toEqual([]);
  });

  it('reads a call time from a time or a date-time cell, and nothing else', () => {
    expect(parseCadTime('07:53')).toBe('07:53');
    expect(parseCadTime('7:53:10')).toBe('07:53');
    expect(parseCadTime('2023-07-18 07:53')).toBe('07:53');
    expect(parseCadTime('2023-07-18T23:41:05.120')).toBe('23:41');
    for (const bad of ['', '2023-07-18', '25:00', '7.53', 'C2']) expect(parseCadTime(bad), bad).toBeNull();
  });
});

describe('validate with the CAD log in the job', () => {
  it('imports a spreadsheet-written CAD file and accepts the incident number and call sign on it, and only at a measured threshold', async () => {
    const dir = makeReadJob(sample, 0.95);
    validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(fieldStatus(dir, 'incident.incidentNumber').status).toBe('needs-review');
    expect(fieldStatus(dir, 'incident.callSign').status).toBe('needs-review');

    const cadFile = join(dir, '..', 'cad.csv');
    writeFileSync(
      cadFile,
      '\uFEFFIncident No;Created;Time of call;Call sign;Vehicle;Location Postcode;Hospital;\r\n' +
        '40012344;19/07/2023;23:30;SC101;;not a postcode;;\r\n' +
        ';19/07/2023;23:35;SC102;;;;\r\n' +
        '40012345;19/07/2023;23:41;sc 214;V 4521;so166yd;rhm 01;\r\n' +
        '40012345;20/07/2023;08:00;SC999;;;;\r\n',
    );
    const store = JobStore.open(dir);
    const summary = await importCadLog(store, cadFile, { incidentNumber: 'Incident No', incidentDate: 'Created' });
    store.close();
    expect(summary).toEqual({ rows: 4, imported: 2, duplicates: 1, unreadable: 1, has: { callReceived: true, callSign: true, postcode: true, destination: true, fleetNumber: true } });
    const s1 = JobStore.open(dir);
    expect(s1.cad.lookup()!('40012345')).toMatchObject({ callSign: 'SC214', fleetNumber: '4521', postcode: 'SO16 6YD', destination: 'RHM01' });
    expect(s1.cad.lookup()!('40012344')).toMatchObject({ postcode: null, destination: null });
    s1.close();

    validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(fieldStatus(dir, 'incident.incidentNumber').status).toBe('accepted');
    expect(fieldStatus(dir, 'incident.callSign').status).toBe('accepted');
    // Dates have no CAD threshold in this calibration: the evidence alone raises nothing.
    expect(fieldStatus(dir, 'incident.incidentDate').status).toBe('needs-review');

    // A person's decision on another field re-validates the record with the log still in force.
    const s2 = JobStore.open(dir);
    const f = fieldStatus(dir, 'incident.incidentDate');
    s2.review.applyDecision({ serial: sample.formSerial, fieldId: f.fieldId, reviewer: 'dm.test', action: 'verify', value: f.value, expectedVersion: f.version });
    s2.close();
    validateJob({ jobDir: dir, today: '2026-01-01' });
    expect(fieldStatus(dir, 'incident.incidentNumber').status).toBe('accepted');
  });

  it('a date read surely but unlike the CAD incident goes to a person, however sure the boxes are', async () => {
    const misread = structuredClone(sample);
    misread.incident.incidentDate = '2023-07-18';
    const dir = makeReadJob(misread, 0.9999);
    const cadFile = join(dir, '..', 'cad.csv');
    writeFileSync(cadFile, 'IncidentNumber,IncidentDate,CallReceived,CallSign\n40012345,2023-07-19,23:41,SC214\n');
    const store = JobStore.open(dir);
    await importCadLog(store, cadFile);
    store.close();
    validateJob({ jobDir: dir, today: '2026-01-01' });
    const date = fieldStatus(dir, 'incident.incidentDate');
    expect(date.status).toBe('needs-review');
    expect((date.reasons as { code: string }[]).map((r) => r.code)).toContain('cad-mismatch');
    // The call sign and call time agree with the incident: they vouch for the number, which the date does not sway.
    expect(fieldStatus(dir, 'incident.incidentNumber').status).toBe('accepted');
    expect(fieldStatus(dir, 'incident.callSign').status).toBe('accepted');
  });

  it('refuses a CAD file without its incident columns, naming what is missing and what was found', async () => {
    const dir = makeReadJob(sample, 0.95);
    const cadFile = join(dir, '..', 'cad.csv');
    writeFileSync(cadFile, 'Ref,When\n1,2023-07-19\n');
    const store = JobStore.open(dir);
    await expect(importCadLog(store, cadFile)).rejects.toThrow(/missing columns: incident number .*incident date .*Columns found: "Ref", "When"/);
    expect(store.cad.count()).toBe(0);
    store.close();
  });
});
