// Each kind of rule finding shown whole: the fields it names, and the recomputed value beside the written one.
import { describe, it, expect } from 'vitest';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { findingViews } from '../src/review/finding-view.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

async function viewsOf(fieldId: string, misread: string) {
  const job = await buildReviewJob({ forms: 1, doubtful: [fieldId], misreads: { 0: { [fieldId]: misread } } });
  const store = JobStore.open(job.dir);
  try {
    const ctx = reviewContext(store, { today: REVIEW_TODAY });
    return findingViews(ctx, store.records.field(job.serials[0]!, fieldId)!);
  } finally {
    store.close();
  }
}

describe('findings shown whole', () => {
  it('GCS: eye + verbal + motor beside the total written, all four fields named', async () => {
    const [v] = await viewsOf('obs1.gcst', '14');
    expect(v).toMatchObject({ code: 'gcs-total-mismatch', written: { value: '14' }, recomputed: { value: '15' } });
    expect(v!.fields.map((f) => f.fieldId)).toEqual(['obs1.gcse', 'obs1.gcsv', 'obs1.gcsm', 'obs1.gcst']);
    expect(v!.fields.filter((f) => f.self).map((f) => f.fieldId)).toEqual(['obs1.gcst']);
  });

  it('age against date of birth: the age the date of birth gives on the incident date', async () => {
    const views = await viewsOf('patient.age', '62 ');
    const v = views.find((x) => x.code === 'age-dob-mismatch')!;
    expect(v).toMatchObject({ written: { value: '62' }, recomputed: { value: '26' } });
    expect(v.fields.map((f) => f.fieldId).sort()).toEqual(['patient.age', 'patient.dob']);
  });

  it('times out of order: both times named, with their values', async () => {
    const views = await viewsOf('time.atscene', '1105');
    const v = views.find((x) => x.code === 'times-out-of-order')!;
    expect(v.fields.map((f) => [f.fieldId, f.shown])).toContainEqual(['time.atscene', '11:05']);
    expect(v.fields.length).toBeGreaterThanOrEqual(2);
    expect(v.recomputed).toBeUndefined();
  });
});
