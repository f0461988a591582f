// Suggestions while keying, in real Chromium: the entry nearest the machine's reading is offered before any key,
// Tab puts a suggestion in the box and nothing more (only Enter saves it), typing on discards it, confirming a
// screen never saves one, and keys typed while a save is in flight (Tab among them) land in order.
import { it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { buildReviewJob, describeInChromium, REVIEW_TODAY, reviewBrowserSession, slowSaves } from './helpers/browser.ts';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { decide } from '../src/review/decide.ts';
import { SUGGESTED_NOTE } from '../src/review/server.ts';

const session = reviewBrowserSession({ width: 1366, height: 768 });

/** Three forms whose presenting complaint is "ASTHMA ATTACK"; the machine read "ASTHMA ATTAGK" on the first two, and
 * a person already keyed the third (so it is in the job's dictionary). */
async function complaintJob() {
  const job = await buildReviewJob({ forms: 3, doubtful: ['clinical.complaint'], misreads: { 0: { 'clinical.complaint': 'ASTHMA ATTAGK' }, 1: { 'clinical.complaint': 'ASTHMA ATTAGK' } } });
  const store = JobStore.open(job.dir);
  const ctx = reviewContext(store, { today: REVIEW_TODAY });
  const s = job.serials[2]!;
  const out = decide(ctx, { serial: s, fieldId: 'clinical.complaint', reviewer: 'earlier.person', action: 'enter', text: 'ASTHMA ATTACK', expectedVersion: store.records.field(s, 'clinical.complaint')!.version });
  expect(out.ok).toBe(true);
  store.close();
  return job;
}

const suggestionOf = (page: Page, sel: string) =>
  page.locator(sel).evaluate((e) => ((e as HTMLElement).hidden ? null : { full: (e as HTMLElement).dataset.full ?? null, text: e.textContent }));

describeInChromium('suggestions while keying in Chromium', session, () => {
  it('group view: the entry near the reading is shown; Tab puts it in the box unsaved (a reload shows the reading again); confirming the screen saves the readings, not the suggestion', async () => {
    const job = await complaintJob();
    const { srv, store } = await session.serve(job.dir, 'sugg.one');
    const page = await session.newPage();
    await page.goto(srv.url + '#group=clinical.complaint');
    await page.waitForSelector('.tile.active');
    expect(await page.locator('.tile .tile-value').allTextContents()).toEqual(['ASTHMA ATTAGK', 'ASTHMA ATTAGK']);
    const shown = await suggestionOf(page, '.tile.active .tile-suggest');
    expect(shown!.full).toBe('ASTHMA ATTACK');
    expect(shown!.text).toContain('keyed 1× in this job');
    // Tab: the suggestion is in the tile's box, and nothing is saved.
    await page.keyboard.press('Tab');
    expect(await page.locator('.tile.active .tile-input').inputValue()).toBe('ASTHMA ATTACK');
    expect(store.records.field(job.serials[0]!, 'clinical.complaint')).toMatchObject({ status: 'needs-review', value: 'ASTHMA ATTAGK' });
    await page.reload();
    await page.waitForSelector('.tile.active');
    expect(await page.locator('.tile.active .tile-input').isHidden()).toBe(true);
    expect(store.records.field(job.serials[0]!, 'clinical.complaint')).toMatchObject({ status: 'needs-review', value: 'ASTHMA ATTAGK' });
    // Tab, then Escape, then Enter on the grid: the untouched tiles are confirmed as read; no suggestion is saved.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    // (the next screen is another field's: free text is always checked)
    await page.waitForFunction(() => document.querySelector('.batch-title h1')?.textContent !== 'Clinical - Presenting complaint', undefined, { timeout: 15_000 });
    for (const s of job.serials.slice(0, 2)) expect(store.records.field(s, 'clinical.complaint')).toMatchObject({ status: 'verified', value: 'ASTHMA ATTAGK', verifiedBy: 'sugg.one' });
    const notes = store.db.prepare("SELECT note FROM audit WHERE actor = 'sugg.one' AND field_id = 'clinical.complaint'").all() as { note: string | null }[];
    expect(notes.length).toBe(2);
    expect(notes.every((n) => n.note !== SUGGESTED_NOTE)).toBe(true);
  }, 60_000);

  it('group view: Tab then Enter saves the suggestion (the audit says so); typing on past it discards it and what was typed is saved', async () => {
    const job = await complaintJob();
    const { srv, store } = await session.serve(job.dir, 'sugg.two');
    const page = await session.newPage();
    await page.goto(srv.url + '#group=clinical.complaint');
    await page.waitForSelector('.tile.active');
    const [first, second] = await page.locator('.tile').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.serial!));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tile[data-serial="${first}"].done`);
    expect(store.records.field(first!, 'clinical.complaint')).toMatchObject({ status: 'verified', value: 'ASTHMA ATTACK' });
    const note = store.db.prepare("SELECT note FROM audit WHERE actor = 'sugg.two' AND serial = ? AND action = 'review-correct'").get(first) as { note: string };
    expect(note.note).toBe(SUGGESTED_NOTE);
    // The next tile: typing completes from the job's values; a key that departs from the suggestion discards it.
    await page.waitForSelector(`.tile.active[data-serial="${second}"]`);
    await page.keyboard.type('ASTH');
    expect(await suggestionOf(page, '.tile.active .tile-suggest')).toMatchObject({ full: 'ASTHMA ATTACK' });
    await page.keyboard.type('MA ATTAK');
    expect(await suggestionOf(page, '.tile.active .tile-suggest')).toBeNull();
    await page.keyboard.type('K');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tile[data-serial="${second}"].done`);
    expect(store.records.field(second!, 'clinical.complaint')).toMatchObject({ status: 'verified', value: 'ASTHMA ATTAKK' });
    const plain = store.db.prepare("SELECT note FROM audit WHERE actor = 'sugg.two' AND serial = ? AND action = 'review-correct'").get(second) as { note: string | null };
    expect(plain.note).toBeNull();
  }, 60_000);

  it("field view: the template's list completes what is typed; keys typed during a slow save, Tab among them, land in the next card in order", async () => {
    const job = await buildReviewJob({ forms: 1, doubtful: ['patient.address', 'clinical.complaint'] });
    const { srv, store } = await session.serve(job.dir, 'sugg.three');
    const page = await session.newPage();
    await page.goto(srv.url + '#field');
    await page.waitForSelector('.card .value:focus');
    const cards = await page.locator('.card').evaluateAll((els) => els.map((e) => e.getAttribute('data-field-id')!));
    expect(cards.indexOf('clinical.complaint') - cards.indexOf('patient.address')).toBe(1);
    await page.focus('.card[data-field-id="clinical.complaint"] .value');
    await page.keyboard.type('SHOR');
    const line = '.card[data-field-id="clinical.complaint"] .card-suggest';
    expect(await suggestionOf(page, line)).toMatchObject({ full: 'SHORTNESS OF BREATH' });
    expect((await suggestionOf(page, line))!.text).toContain("the template's list");
    // Back to the address; everything from here is typed while its save is held back.
    await page.focus('.card[data-field-id="patient.address"] .value');
    await slowSaves(page, 700);
    await page.keyboard.type('1 HIGH ROAD');
    await page.keyboard.press('Enter');
    await page.keyboard.type('SHOR');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.card.done').length === 2, undefined, { timeout: 15_000 });
    const s = job.serials[0]!;
    expect(store.records.field(s, 'patient.address')).toMatchObject({ status: 'verified', value: '1 HIGH ROAD' });
    expect(store.records.field(s, 'clinical.complaint')).toMatchObject({ status: 'verified', value: 'SHORTNESS OF BREATH' });
    const note = store.db.prepare("SELECT note FROM audit WHERE serial = ? AND field_id = 'clinical.complaint' AND action LIKE 'review-%'").get(s) as { note: string };
    expect(note.note).toBe(SUGGESTED_NOTE);
  }, 60_000);
});
