// A blind second keying sees nothing of the value: no guess, no readings, and reasons in the catalogue's wording with
// the values left out ("The date of birth (2030-01-01) is in the future" gives the machine's reading away).
import { describe, expect, it } from 'vitest';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';
import { JobStore } from '../src/job/store.ts';
import { FINDINGS, messageWithoutValues } from '../src/record/findings.ts';
import { reviewContext } from '../src/review/context.ts';
import { claimBatch } from '../src/review/queue.ts';

describe('reasons for a blind keying', () => {
  it('every catalogue message has a wording with no placeholder left', () => {
    for (const code of Object.keys(FINDINGS)) expect(messageWithoutValues(code), code).not.toMatch(/[{}]|\(\)|""/);
    expect(messageWithoutValues('dob-after-incident')).toBe('The date of birth is after the incident date.');
    expect(messageWithoutValues('field-invalid')).toBe('What was read is not ….');
    expect(messageWithoutValues('not-a-code')).toBeNull();
  });

  it("a blind keyer of a date of birth does not see the machine's reading in its reasons", async () => {
    // The machine read 2030 for the year. It is a real date, so it stands as the first keying; one person keys blind.
    const job = await buildReviewJob({ forms: 1, misreads: { 0: { 'patient.dob': '01012030' } } });
    const dob = String((job.truth.get(job.serials[0]!)!.patient as Record<string, unknown>).dateOfBirth);
    const store = JobStore.open(job.dir);
    try {
      const ctx = reviewContext(store, { today: REVIEW_TODAY });
      const blind = claimBatch(ctx, 'rev.a').find((i) => i.fieldId === 'patient.dob')!;
      expect([blind.stage, blind.guess]).toEqual(['second', '']);
      expect(blind.reasons).toEqual(['The date of birth is in the future.', 'The date of birth is after the incident date.']);
      const shown = JSON.stringify(blind);
      for (const v of ['2030', dob]) expect(shown).not.toContain(v);
      // The stored reasons keep the values, for a person who is not keying blind (and for the audit).
      expect(JSON.stringify(store.records.field(blind.serial, 'patient.dob')!.reasons)).toContain('2030-01-01');
    } finally {
      store.close();
    }
  });
});
