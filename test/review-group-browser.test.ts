// Group verification in real Chromium: one field across forms as tiles, all by keyboard.
import { it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { buildReviewJob, describeInChromium, reviewBrowserSession } from './helpers/browser.ts';

const session = reviewBrowserSession({ width: 1366, height: 768 });
const serve = session.serve;
const newPage = session.newPage;

const tileIds = (p: Page) => p.locator('.tile').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));
const activeId = (p: Page) => p.evaluate(() => document.querySelector('.tile.active')?.getAttribute('data-id') ?? null);

describeInChromium('group verification in Chromium', session, () => {
  it('prints a digit zero marked (0 and O differ at a glance), the tile text staying the value, and so a value saved', async () => {
    const job = await buildReviewJob({ forms: 2, doubtful: ['obs2.pulse'], misreads: { 0: { 'obs2.pulse': '102' } } });
    const { srv } = await serve(job.dir, 'grp.zero');
    const page = await newPage();
    await page.goto(srv.url + '#group=obs2.pulse');
    await page.waitForSelector('.tile.active');
    const shown = () => page.locator('.tile .tile-value').evaluateAll((els) => els.map((e) => ({ text: e.textContent, zeros: e.querySelectorAll('.zero').length })));
    expect(await shown()).toEqual([{ text: '82', zeros: 0 }, { text: '102', zeros: 1 }]);
    await page.keyboard.type('100');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.tile.done');
    expect((await shown())[0]).toEqual({ text: '100', zeros: 2 });
  });

  it('fixes the odd tile, flags blank and illegible, confirms the screen, all by keyboard; kept over a reload', async () => {
    const job = await buildReviewJob({ forms: 5, doubtful: ['obs2.pulse'], misreads: { 2: { 'obs2.pulse': '28' } } });
    const { srv, store } = await serve(job.dir, 'grp.one');
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(srv.url + '#group=obs2.pulse');
    await page.waitForSelector('.tile.active');
    expect(await page.locator('.batch-title h1').textContent()).toBe('Obs set 2 - Pulse');
    const ids = await tileIds(page);
    expect(ids).toHaveLength(5);
    const values = await page.locator('.tile .tile-value').allTextContents();
    expect(values).toEqual(['28', '82', '82', '82', '82']); // sorted by value: the odd one first
    const row = (id: string) => store.db.prepare('SELECT serial, status, value_json AS v, verified_by AS by FROM fields WHERE id = ?').get(Number(id)) as { serial: string; status: string; v: string | null; by: string | null };
    expect(row(ids[0]!).serial).toBe(job.serials[2]);

    // The odd tile: type the value the form shows, Enter saves it.
    expect(await activeId(page)).toBe(ids[0]);
    await page.keyboard.type('82');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tile[data-id="${ids[0]}"].done`);
    // Focus moves on; Alt+B blank on form, Alt+I illegible.
    expect(await activeId(page)).toBe(ids[1]);
    await page.keyboard.press('Alt+B');
    await page.waitForSelector(`.tile[data-id="${ids[1]}"].done`);
    await page.keyboard.press('Alt+I');
    await page.waitForSelector(`.tile[data-id="${ids[2]}"].done`);
    // Enter on the grid confirms every tile not touched; the next group follows.
    await page.keyboard.press('Enter');
    await page.waitForFunction((first) => !document.querySelector(`.tile[data-id="${first}"]`), ids[0]);
    expect(row(ids[0]!)).toMatchObject({ status: 'verified', v: '82', by: 'grp.one' });
    expect(row(ids[1]!)).toMatchObject({ status: 'blank', v: null, by: 'grp.one' });
    expect(row(ids[2]!)).toMatchObject({ status: 'blank', v: null, by: 'grp.one' });
    expect(store.records.field(row(ids[2]!).serial, 'obs2.pulse')!.reasons).toEqual([expect.objectContaining({ code: 'illegible' })]);
    for (const id of ids.slice(3)) expect(row(id)).toMatchObject({ status: 'verified', v: '82', by: 'grp.one' });

    // A reload keeps it: no pulse tile comes back, and the saved list shows them.
    await page.reload();
    await page.waitForSelector('.tile.active, .empty');
    const again = await tileIds(page);
    for (const id of ids) expect(again).not.toContain(id);
    expect((await page.locator('#recent li').allTextContents()).filter((t) => t.includes('Pulse')).length).toBe(5);
    expect(errors).toEqual([]);
  }, 60_000);

  it('two reviewers never get the same tiles', async () => {
    const job = await buildReviewJob({ forms: 4, doubtful: ['obs1.pulse', 'obs1.rr'] });
    const a = await serve(job.dir, 'grp.a');
    const b = await serve(job.dir, 'grp.b');
    const [pa, pb] = await Promise.all([newPage(), newPage()]);
    await Promise.all([pa.goto(a.srv.url + '#group=obs1.pulse'), pb.goto(b.srv.url + '#group=obs1.pulse')]);
    await Promise.all([pa.waitForSelector('.tile.active'), pb.waitForSelector('.tile.active')]);
    const [ia, ib] = await Promise.all([tileIds(pa), tileIds(pb)]);
    expect(ia.length).toBeGreaterThan(0);
    expect(ib.length).toBeGreaterThan(0);
    expect(ia.filter((x) => ib.includes(x))).toEqual([]);
  }, 60_000);

  it('a screen claims only the tiles that fit it, so Enter confirms none the reviewer has not seen', async () => {
    const job = await buildReviewJob({ forms: 30, doubtful: ['obs1.pulse'] });
    const { srv, store } = await serve(job.dir, 'grp.fit');
    const page = await newPage();
    await page.setViewportSize({ width: 1024, height: 560 });
    await page.goto(srv.url + '#group=obs1.pulse');
    await page.waitForSelector('.tile.active');
    const shown = await page.evaluate(() => {
      const all = Array.from(document.querySelectorAll('.tile'));
      return { n: all.length, whole: all.filter((t) => t.getBoundingClientRect().bottom <= innerHeight && t.getBoundingClientRect().right <= innerWidth).length };
    });
    expect(shown.n).toBeGreaterThan(8);
    expect(shown.n).toBeLessThan(30);
    expect(shown.whole).toBe(shown.n);
    const claims = () => (store.db.prepare("SELECT COUNT(*) AS n FROM review_claims WHERE reviewer = 'grp.fit'").get() as { n: number }).n;
    expect(claims()).toBe(shown.n);
    // The value sits right against its crop: on the same row, a few pixels to its right.
    const gap = await page.evaluate(() => {
      const t = document.querySelector('.tile.active')!;
      const img = t.querySelector('.tile-crop')!.getBoundingClientRect();
      const val = t.querySelector('.tile-value')!.getBoundingClientRect();
      return { dx: val.left - img.right, dy: Math.abs(val.top + val.height / 2 - (img.top + img.height / 2)) };
    });
    expect(gap.dx).toBeGreaterThanOrEqual(0);
    expect(gap.dx).toBeLessThan(16);
    expect(gap.dy).toBeLessThan(12);
    const first = await page.locator('.tile').first().getAttribute('data-id');
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => !document.querySelector(`.tile[data-id="${id}"]`) && document.querySelector('.tile.active'), first);
    const verified = (store.db.prepare("SELECT COUNT(*) AS n FROM fields WHERE field_id = 'obs1.pulse' AND status = 'verified'").get() as { n: number }).n;
    expect(verified).toBe(shown.n);
  }, 60_000);
});
