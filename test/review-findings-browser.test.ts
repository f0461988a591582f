// A rule finding shown whole, in real Chromium: every field it names together, the recomputed value beside the
// written one, in field view (on the card) and group view (beside the grid for the active tile).
import { it, expect } from 'vitest';
import { buildReviewJob, describeInChromium, reviewBrowserSession } from './helpers/browser.ts';

const session = reviewBrowserSession({ width: 1366, height: 768 });

describeInChromium('findings shown whole in Chromium', session, () => {
  it('a NEWS2 mismatch shows every observation it names, with the NEWS2 recomputed beside the written one', async () => {
    // Pulse 85 misread as 35: NEWS2 from the observations becomes 1 + 3 = 4 against the 1 the crew wrote.
    const job = await buildReviewJob({ forms: 2, doubtful: ['obs1.pulse'], misreads: { 0: { 'obs1.pulse': '35 ' } } });
    const { srv } = await session.serve(job.dir, 'fnd.one');
    const page = await session.newPage();
    await page.goto(srv.url + '#group=obs1.pulse');
    await page.waitForSelector('.tile.active');
    // Sorted by value, the 35 comes first and is active: its finding is beside the grid.
    await page.waitForSelector('.tile.active.has-finding');
    const panel = page.locator('#finding-panel .finding[data-code="news2-mismatch"]');
    expect(await panel.locator('.written b').textContent()).toBe('1');
    expect(await panel.locator('.recomputed b').textContent()).toBe('4');
    const labels = await panel.locator('.ff .ff-label').allTextContents();
    for (const l of ['Resp rate', 'SpO2', 'BP sys', 'Pulse', 'Temp', 'NEWS2']) expect(labels.some((x) => x.includes(l))).toBe(true);
    expect(await panel.locator('.ff.self .ff-value').textContent()).toBe('35');
    expect(await panel.locator('.ff.self .ff-note').textContent()).toBe('scores 3');
    // Moving to a tile without a finding clears the panel.
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#finding-panel .finding').count()).toBe(0);

    // Field view: the card in hand shows the same, across the width of the card.
    await page.goto('about:blank');
    await page.goto(srv.url + '#field');
    await page.waitForSelector('.card .value:focus');
    // Every field the finding names carries it (each is in the queue because of it); the pulse card shows it too.
    const sel = '.card.active.has-finding[data-field-id="obs1.pulse"]';
    for (let i = 0; i < 60 && !(await page.locator(sel).count()); i++) await page.keyboard.press('Tab');
    const card = page.locator(sel);
    expect(await card.locator('.finding .recomputed b').textContent()).toBe('4');
    expect(await card.locator('.finding .ff').count()).toBeGreaterThanOrEqual(8);
    expect(await card.locator('.finding').isVisible()).toBe(true);
    expect(await card.locator('.finding .ff.self .ff-value').textContent()).toBe('35');
  }, 60_000);

  it("a field's own reason (an incident date outside the downtime) is printed beside the grid for the active tile", async () => {
    // Form 0's year misread as 2013 with sure boxes: inside no window of 2023, so it is queued with its reason.
    const job = await buildReviewJob({ forms: 2, doubtful: ['incident.date'], misreads: { 0: { 'incident.date': '25072013' } }, downtime: { from: '2023-07-18', to: '2023-08-31' } });
    const { srv } = await session.serve(job.dir, 'fnd.own');
    const page = await session.newPage();
    await page.goto(srv.url + '#group=incident.date');
    // Sorted by value, 25/07/2013 comes first and is active; it is striped, and its reason is read beside the grid.
    await page.waitForSelector('.tile.active.flagged');
    expect(await page.locator('#finding-panel .finding-msg').allTextContents()).toEqual([
      'The incident date (2013-07-25) is outside the downtime this job covers (2023-07-18 to 2023-08-31).',
    ]);
    // The other form's date is inside the window: only its confidence queued it, so nothing is printed for it.
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('.tile.active:not(.flagged)');
    expect(await page.locator('#finding-panel .finding').count()).toBe(0);
  });
});
