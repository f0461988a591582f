// The character view in real Chromium: every box read as one character together, corrected by keyboard; a field is
// saved (through the ordinary decision, with audit) only once all its boxes were checked.
import { it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { buildReviewJob, describeInChromium, reviewBrowserSession } from './helpers/browser.ts';

const session = reviewBrowserSession({ width: 1366, height: 768 });

const heading = (p: Page) => p.locator('.batch-title h1').textContent();
const chars = (p: Page) => p.locator('.ctile .ctile-char').allTextContents();

async function nextScreen(p: Page, before: string | null) {
  await p.waitForFunction((b) => {
    const h = document.querySelector('.batch-title h1')?.textContent ?? null;
    return (h !== b && document.querySelector('.ctile.active')) || document.querySelector('.empty');
  }, before);
}

describeInChromium('character view in Chromium', session, () => {
  it('shows each character across forms, fixes the odd box by keyboard, and saves a field once every box was seen', async () => {
    // The form says pulse 85 on all three; the machine read the second form's as 65 (all doubtful).
    const job = await buildReviewJob({ forms: 3, doubtful: ['obs1.pulse'], misreads: { 1: { 'obs1.pulse': '65 ' } } });
    const { srv, store } = await session.serve(job.dir, 'chr.one');
    const page = await session.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const pulse = (i: number) => store.records.field(job.serials[i]!, 'obs1.pulse')!;
    await page.goto(srv.url + '#chars');
    await page.waitForSelector('.ctile.active');

    // Every box read "5" together, then every "8"; Enter confirms each screen.
    expect(await heading(page)).toBe('Boxes read as “5”');
    expect(await chars(page)).toEqual(['5', '5', '5']);
    let h = await heading(page);
    await page.keyboard.press('Enter');
    await nextScreen(page, h);
    // Seen in part: no field is decided yet.
    for (const i of [0, 1, 2]) expect(pulse(i).status).toBe('needs-review');
    expect(await heading(page)).toBe('Boxes read as “8”');
    expect(await chars(page)).toEqual(['8', '8']);
    h = await heading(page);
    await page.keyboard.press('Enter');
    await nextScreen(page, h);

    // The odd one: the 6 is an 8. Typing replaces the character.
    expect(await heading(page)).toBe('Boxes read as “6”');
    await page.keyboard.type('8');
    expect(await chars(page)).toEqual(['8']);
    expect(await page.locator('.ctile.touched').count()).toBe(1);
    h = await heading(page);
    await page.keyboard.press('Enter');
    await nextScreen(page, h);

    // The empty third boxes, confirmed empty; now every box of every field was seen, so all three are saved.
    expect(await heading(page)).toBe('Empty boxes');
    expect(await page.locator('.ctile').count()).toBe(3);
    h = await heading(page);
    await page.keyboard.press('Enter');
    await nextScreen(page, h);
    expect(await page.locator('.empty').count()).toBe(1);
    for (const i of [0, 1, 2]) expect(pulse(i)).toMatchObject({ status: 'verified', value: 85, verifiedBy: 'chr.one' });
    const audit = store.db
      .prepare("SELECT action, before_json AS b, after_json AS a, note FROM audit WHERE serial = ? AND field_id = 'obs1.pulse' AND actor = 'chr.one'")
      .all(job.serials[1]!) as { action: string; b: string; a: string; note: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.action).toMatch(/correct/);
    expect(JSON.parse(audit[0]!.a)).toMatchObject({ value: 85 });
    expect(audit[0]!.note).toMatch(/character view/);
    expect(errors).toEqual([]);
  }, 60_000);
});
