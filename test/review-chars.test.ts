// The character view's bookkeeping without a browser: a field is decided only once one reviewer checked all its
// boxes at its current version; checks of an older version, or another reviewer's, count for nothing.
import { describe, it, expect } from 'vitest';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { boxChars, checkChars, claimChars, textFromChars } from '../src/review/char-view.ts';
import { decide } from '../src/review/decide.ts';
import { loadTemplate } from '../src/template/load.ts';
import { buildReviewJob, REVIEW_TODAY } from './helpers/browser.ts';

const template = loadTemplate('standard-prf');
const f = (id: string) => template.fields.find((x) => x.id === id)!;

describe('character view', () => {
  it('spells a field from its boxes as a person would type it', () => {
    expect(boxChars(f('obs1.temp'), { value: 36.4, rawText: '' })).toEqual(['3', '6', '4']);
    expect(textFromChars(f('obs1.temp'), ['3', '6', '4'])).toBe('36.4');
    expect(boxChars(f('incident.date'), { value: '2023-07-20', rawText: '' })).toEqual([...'20072023']);
    expect(textFromChars(f('obs1.pulse'), ['8', '5', ''])).toBe('85');
    expect(textFromChars(f('obs1.pulse'), ['', '', ''])).toBeNull();
    expect(boxChars(f('obs1.pulse'), { value: null, rawText: '7?1' })).toEqual(['7', '?', '1']);
  });

  it('decides a field only when all its boxes were checked by one reviewer at its version', async () => {
    const job = await buildReviewJob({ forms: 2, doubtful: ['obs1.pulse'] });
    const store = JobStore.open(job.dir);
    try {
      const ctx = reviewContext(store, { today: REVIEW_TODAY });
      const five = claimChars(ctx, 'c.one', '5');
      expect(five.tiles.map((t) => t.char)).toEqual(['5', '5']);
      const asCheck = (t: (typeof five.tiles)[number], char = t.char) => ({ serial: t.serial, fieldId: t.fieldId, box: t.box, version: t.version, char });
      expect(checkChars(ctx, 'c.one', five.tiles.map((t) => asCheck(t))).map((r) => r.result)).toEqual(['waiting', 'waiting']);
      // Another reviewer's checks do not complete c.one's fields; and c.two cannot check boxes c.one holds.
      const eight = claimChars(ctx, 'c.two', '8');
      expect(eight.tiles).toEqual([]);
      // Someone decides the first form's pulse in the field view meanwhile: c.one's checks of it are stale.
      const [a, b] = job.serials as [string, string];
      store.review.releaseClaims('c.one');
      const row = store.records.field(a, 'obs1.pulse')!;
      expect(decide(ctx, { serial: a, fieldId: 'obs1.pulse', reviewer: 'c.two', action: 'enter', text: '85', expectedVersion: row.version }).ok).toBe(true);
      const rest = ['8', ''].flatMap((c) => claimChars(ctx, 'c.one', c).tiles.map((t) => asCheck(t)));
      expect(rest.every((t) => t.serial === b)).toBe(true);
      const out = checkChars(ctx, 'c.one', rest);
      expect(out).toEqual([expect.objectContaining({ serial: b, result: 'decided' })]);
      expect(store.records.field(b, 'obs1.pulse')).toMatchObject({ status: 'verified', value: 85, verifiedBy: 'c.one' });
      // A stale check (the field's version moved on) is refused, not saved.
      const stale = checkChars(ctx, 'c.one', [{ serial: a, fieldId: 'obs1.pulse', box: 2, version: row.version, char: '' }]);
      expect(stale[0]).toMatchObject({ result: 'refused' });
    } finally {
      store.close();
    }
  });
});
