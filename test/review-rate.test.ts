// The rate per hour spans the reviewer's whole day: from their first decision today (idle gaps and other review
// servers included) to now; yesterday's decisions do not count.
import { describe, it, expect } from 'vitest';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { decide } from '../src/review/decide.ts';
import { progress } from '../src/review/queue.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

const local = (day: number, h: number, m = 0) => new Date(2024, 0, day, h, m).toISOString();

describe('rate per hour over the day', () => {
  it('counts from the first decision today, not from when the server started', async () => {
    const job = await buildReviewJob({ forms: 4, doubtful: ['obs1.pulse'] });
    let clock = local(1, 18);
    const store = JobStore.open(job.dir, { now: () => clock });
    try {
      const ctx = reviewContext(store, { today: REVIEW_TODAY });
      const ok = (serial: string) => {
        const row = store.records.field(serial, 'obs1.pulse')!;
        expect(decide(ctx, { serial, fieldId: 'obs1.pulse', reviewer: 'r.day', action: 'enter', text: '85', expectedVersion: row.version }).ok).toBe(true);
      };
      const [a, b, c, d] = job.serials as [string, string, string, string];
      ok(a); // yesterday evening: not today's
      clock = local(2, 9);
      expect(progress(ctx, 'r.day')).toMatchObject({ doneToday: 0, ratePerHour: null });
      ok(b);
      expect(progress(ctx, 'r.day').ratePerHour).toBeNull(); // under a minute since the first decision
      clock = local(2, 9, 30);
      ok(c);
      // A long idle gap (lunch) counts: three fields from 09:00 to 12:00 is one an hour.
      clock = local(2, 11, 59);
      ok(d);
      clock = local(2, 12);
      expect(progress(ctx, 'r.day')).toMatchObject({ doneToday: 3, ratePerHour: 1 });
    } finally {
      store.close();
    }
  });
});
