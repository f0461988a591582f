// The downtime window: validate --downtime keeps the first and last day of the outage in the job, and every later
// validation (validate again, a review decision) sends an incident date outside it to a person, however sure the
// boxes were. A window that is not one is refused by name, before the job is touched.
import { describe, expect, it } from 'vitest';
import { fieldStatus, makeReadJob, sample } from './helpers/read-job.ts';
import { runCli } from './helpers/cli.ts';
import { parseDowntimeWindow } from '../src/record/downtime.ts';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { decide } from '../src/review/decide.ts';

const reasonCodes = (row: { reasons: unknown }) => (row.reasons as { code: string }[]).map((r) => r.code);

describe('parseDowntimeWindow', () => {
  it('takes a first and last day, or one day', () => {
    expect(parseDowntimeWindow('2023-07-10..2023-07-31')).toEqual({ from: '2023-07-10', to: '2023-07-31' });
    expect(parseDowntimeWindow(' 2023-07-10 ')).toEqual({ from: '2023-07-10', to: '2023-07-10' });
  });

  it('refuses days that do not exist, a reversed window and anything else, saying what to type', () => {
    for (const bad of ['2023-02-29..2023-03-10', '2023-07-10..2023-07-32', '10/07/2023..31/07/2023', '2023-07-10..', '2023-07-10..2023-07-20..2023-07-31', '']) {
      expect(() => parseDowntimeWindow(bad), bad).toThrow(/YYYY-MM-DD\.\.YYYY-MM-DD/);
    }
    expect(() => parseDowntimeWindow('2023-07-31..2023-07-10')).toThrow('the downtime window 2023-07-31..2023-07-10 ends before it starts');
  });
});

describe('validate --downtime', () => {
  it('keeps the window in the job, sends an incident date outside it to a person, and a person can settle it', () => {
    expect(sample.incident.incidentDate).toBe('2023-07-19');
    const dir = makeReadJob(sample, 0.9999);
    expect(runCli(['validate', '--job', dir, '--today', '2026-01-01']).code).not.toBe(1);
    expect(fieldStatus(dir, 'incident.incidentDate').status).toBe('accepted');

    const first = runCli(['validate', '--job', dir, '--today', '2026-01-01', '--downtime', '2023-07-20..2023-07-31']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('Downtime window: 2023-07-20..2023-07-31 (incident dates outside it go to a person).');
    expect(first.stdout).toContain('incident-date-outside-downtime');
    const date = fieldStatus(dir, 'incident.incidentDate');
    expect([date.status, reasonCodes(date)]).toEqual(['needs-review', ['incident-date-outside-downtime']]);

    // Kept in the job: validate again without the option, and the JSON summary names the window.
    const again = runCli(['validate', '--job', dir, '--today', '2026-01-01', '--json']);
    expect(JSON.parse(again.stdout).downtime).toEqual({ from: '2023-07-20', to: '2023-07-31' });
    expect(fieldStatus(dir, 'incident.incidentDate').status).toBe('needs-review');

    // A person looks at the form and confirms the date the crew wrote: the review's re-validation settles it.
    const store = JobStore.open(dir);
    try {
      const ctx = reviewContext(store, { today: '2026-01-01' });
      const out = decide(ctx, { serial: sample.formSerial, fieldId: date.fieldId, reviewer: 'dm.test', action: 'enter', text: '19/07/2023', expectedVersion: date.version });
      expect(out.ok).toBe(true);
    } finally {
      store.close();
    }
    expect(fieldStatus(dir, 'incident.incidentDate').status).toBe('verified');

    // A later window that holds the date takes the place of the first.
    const wider = runCli(['validate', '--job', dir, '--today', '2026-01-01', '--downtime', '2023-07-10..2023-07-31', '--json']);
    expect(JSON.parse(wider.stdout).downtime).toEqual({ from: '2023-07-10', to: '2023-07-31' });
  });

  it('an incident date after --today goes to a person with no window given', () => {
    const dir = makeReadJob(sample, 0.9999);
    runCli(['validate', '--job', dir, '--today', '2023-07-18']);
    expect(reasonCodes(fieldStatus(dir, 'incident.incidentDate'))).toEqual(['incident-date-in-future']);
  });

  it('refuses a bad --downtime or --today plainly (exit 2, no stack trace) and leaves the job as it was', () => {
    const dir = makeReadJob(sample, 0.9999);
    for (const [args, message] of [
      [['--downtime', '2023-07-31..2023-07-10'], '--downtime: the downtime window 2023-07-31..2023-07-10 ends before it starts'],
      [['--downtime', '2023-02-30'], '--downtime: "2023-02-30" is not a downtime window: give the first and last day as YYYY-MM-DD..YYYY-MM-DD'],
      [['--today', '2023-13-01'], '--today 2023-13-01: give a real date as YYYY-MM-DD'],
    ] as const) {
      const r = runCli(['validate', '--job', dir, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fieldStatus(dir, 'incident.incidentDate').status).toBe('unchecked'); // never validated
  });
});
