// The small frictions, in real Chromium: keys typed while a save is on its way (the server's answer held back)
// land where they were meant, in order; after an error the typed text is selected; the filter is reached by keyboard.
import { it, expect } from 'vitest';
import { buildReviewJob, describeInChromium, reviewBrowserSession, slowSaves } from './helpers/browser.ts';

const session = reviewBrowserSession({ width: 1366, height: 768 });

describeInChromium('keyboard frictions in Chromium', session, () => {
  it('group view: keys typed during a slow save go to the next tile, in order, and Enter then confirms the screen', async () => {
    // Pulse 85 on every form; the machine read 65 and 75 on two of them.
    const job = await buildReviewJob({ forms: 3, doubtful: ['obs1.pulse'], misreads: { 0: { 'obs1.pulse': '65 ' }, 1: { 'obs1.pulse': '75 ' } } });
    const { srv, store } = await session.serve(job.dir, 'keys.one');
    const page = await session.newPage();
    await slowSaves(page, 600);
    await page.goto(srv.url + '#group=obs1.pulse');
    await page.waitForSelector('.tile.active');
    expect(await page.locator('.tile .tile-value').allTextContents()).toEqual(['65', '75', '85']);
    // All at once, as a fast typist does: fix the first, fix the second, confirm the rest.
    await page.keyboard.type('85');
    await page.keyboard.press('Enter');
    await page.keyboard.type('85');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.tile[data-serial]') || document.querySelector('.batch-title h1')?.textContent !== 'Obs set 1 - Pulse', undefined, { timeout: 15_000 });
    for (const s of job.serials) expect(store.records.field(s, 'obs1.pulse')).toMatchObject({ status: 'verified', value: 85, verifiedBy: 'keys.one' });
    const corrected = store.db.prepare("SELECT serial FROM audit WHERE actor = 'keys.one' AND action LIKE '%correct%' ORDER BY serial").all() as { serial: string }[];
    expect(corrected.map((r) => r.serial)).toEqual([job.serials[0], job.serials[1]]);
  }, 60_000);

  it('field view: keys typed during a slow save land in the next card in order; after an error the text is selected', async () => {
    const job = await buildReviewJob({ forms: 1, doubtful: ['obs1.pulse', 'obs1.rr'], misreads: { 0: { 'obs1.pulse': '65 ', 'obs1.rr': '18' } } });
    const { srv, store } = await session.serve(job.dir, 'keys.two');
    const page = await session.newPage();
    await page.goto(srv.url + '#field');
    await page.waitForSelector('.card .value:focus');
    // The two observation cards sit next to each other (the form's order); start on the first of them.
    const cards = await page.locator('.card').evaluateAll((els) => els.map((e) => e.getAttribute('data-field-id')!));
    const [a, b] = cards.filter((c) => c === 'obs1.pulse' || c === 'obs1.rr') as [string, string];
    expect(cards.indexOf(b) - cards.indexOf(a)).toBe(1);
    await page.focus(`.card[data-field-id="${a}"] .value`);
    // An error leaves what was typed selected, so typing again replaces it.
    await page.keyboard.type('abc');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.card.active .result.bad');
    const sel = await page.evaluate(() => {
      const i = document.activeElement as HTMLInputElement;
      return [i.value, i.selectionStart, i.selectionEnd];
    });
    expect(sel).toEqual(['abc', 0, 3]);
    const truth: Record<string, string> = { 'obs1.pulse': '85', 'obs1.rr': '16' };
    await slowSaves(page, 600);
    await page.keyboard.type(truth[a]!);
    await page.keyboard.press('Enter');
    await page.keyboard.type(truth[b]!);
    await page.keyboard.press('Enter');
    await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`.card[data-field-id="${id}"]`)?.classList.contains('done') ?? true), [a, b], { timeout: 15_000 });
    const s = job.serials[0]!;
    expect(store.records.field(s, 'obs1.pulse')).toMatchObject({ status: 'verified', value: 85 });
    expect(store.records.field(s, 'obs1.rr')).toMatchObject({ status: 'verified', value: 16 });
  }, 60_000);

  it('the filter is reached by keyboard (Alt+K, or Tab) and chosen with the arrows', async () => {
    const job = await buildReviewJob({ forms: 2, doubtful: ['obs1.pulse', 'patient.surname'] });
    const { srv } = await session.serve(job.dir, 'keys.three');
    const page = await session.newPage();
    await page.goto(srv.url + '#field');
    await page.waitForSelector('.card .value:focus');
    expect(await page.locator('#kind').evaluate((e) => (e as HTMLSelectElement).tabIndex)).toBe(0);
    expect(await page.locator('#formview-close').evaluate((e) => (e as HTMLButtonElement).tabIndex)).toBe(0);
    await page.keyboard.press('Alt+K');
    expect(await page.evaluate(() => document.activeElement!.id)).toBe('kind');
    const before = await page.locator('#kind').inputValue();
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((b) => (document.getElementById('kind') as HTMLSelectElement).value !== b, before);
    const kind = await page.locator('#kind').inputValue();
    await page.waitForFunction((k) => document.querySelector('.batch-title h1')?.textContent?.includes(k), kind);
    // Enter goes back to the fields of that kind.
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement!.classList.contains('value'))).toBe(true);
  }, 60_000);
});
