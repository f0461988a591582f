// The review page in real Chromium (Debian package), driven by playwright-core: one browser for the file.
import { it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { buildReviewJob, describeInChromium, reviewBrowserSession } from './helpers/browser.ts';

const session = reviewBrowserSession({ width: 1300, height: 900 });
const serve = session.serve;
const newPage = session.newPage;

/** Wait until the first element matching the selector has text matching the pattern (playwright-core has no expect). */
async function waitText(page: Page, selector: string, pattern: RegExp): Promise<string> {
  const handle = await page.waitForFunction(
    ([sel, src, flags]) => {
      const text = document.querySelector(sel!)?.textContent ?? '';
      return new RegExp(src!, flags).test(text) ? text : null;
    },
    [selector, pattern.source, pattern.flags],
    { timeout: 10_000 },
  );
  return (await handle.jsonValue()) as string;
}

const focusedCardId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest('.card')?.getAttribute('data-id') ?? null);

describeInChromium('review page in Chromium', session, () => {
  it('corrects a field with the keyboard only, keeps it over a reload, and shows the form status change', async () => {
    const job = await buildReviewJob({ forms: 1, doubtful: ['time.callreceived'] });
    const { srv, store } = await serve(job.dir, 'kb.reviewer');
    const serial = job.serials[0]!;
    expect(store.records.record(serial)!.status).toBe('needs-review');
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(srv.url + '#field');
    await page.waitForSelector('.card input.value:focus');
    const cards = await page.locator('.card').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(cards.length).toBe(5); // the doubtful time and the four free-text fields with writing the template transcribes
    const timeId = String(store.records.field(serial, 'time.callreceived')!.id);
    expect(await focusedCardId(page)).toBe(timeId);
    // Tab moves on, Shift+Tab comes back
    await page.keyboard.press('Tab');
    expect(await focusedCardId(page)).toBe(cards[1]);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedCardId(page)).toBe(timeId);
    expect(await page.locator('.card.active .crop img').count()).toBe(1);
    // typing replaces the guess; Enter saves
    await page.keyboard.type('1124');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.card[data-id="${timeId}"].done`);
    expect(await page.locator(`.card[data-id="${timeId}"] .result`).textContent()).toMatch(/verified/);
    // Enter accepts each free-text guess as read
    for (let i = 0; i < 4; i++) {
      const id = await focusedCardId(page);
      expect(id).not.toBeNull();
      await page.keyboard.press('Enter');
      await page.waitForSelector(`.card[data-id="${id}"].done, .empty`);
    }
    await waitText(page, '#message', /Form status: ready/);
    const f = store.records.field(serial, 'time.callreceived')!;
    expect(f).toMatchObject({ value: '11:24', status: 'verified', verifiedBy: 'kb.reviewer' });
    expect(store.records.record(serial)!.status).toBe('ready');
    // reload: the decision is kept, and the queue is empty
    await page.reload();
    await page.waitForSelector('.empty');
    const saved = await page.locator('#recent li').allTextContents();
    expect(saved.some((t) => t.includes('Call received') && t.includes('11:24') && t.includes('ready'))).toBe(true);
    expect(await page.locator('#progress').textContent()).toMatch(/Fields left: 0/);
    expect(errors).toEqual([]);
  }, 60_000);

  it('two reviewers at once never get the same item', async () => {
    const job = await buildReviewJob({ forms: 3, doubtful: ['obs1.pulse', 'patient.surname'] });
    const a = await serve(job.dir, 'two.a');
    const b = await serve(job.dir, 'two.b');
    const [pa, pb] = await Promise.all([newPage(), newPage()]);
    await Promise.all([pa.goto(a.srv.url + '#field'), pb.goto(b.srv.url + '#field')]);
    await Promise.all([pa.waitForSelector('.card'), pb.waitForSelector('.card')]);
    const ids = (p: Page) => p.locator('.card').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const [ia, ib] = await Promise.all([ids(pa), ids(pb)]);
    expect(ia.length).toBeGreaterThan(0);
    expect(ib.length).toBeGreaterThan(0);
    expect(ia.filter((x) => ib.includes(x))).toEqual([]);
    // both reviewers switch to the same kind of field at the same moment: still no overlap
    await Promise.all([pa.selectOption('#kind', 'text'), pb.selectOption('#kind', 'text')]);
    await Promise.all([pa.waitForSelector('.form-no'), pb.waitForSelector('.form-no')]);
    const [ka, kb] = await Promise.all([ids(pa), ids(pb)]);
    expect(ka.length + kb.length).toBeGreaterThan(0);
    expect(ka.filter((x) => kb.includes(x))).toEqual([]);
  }, 60_000);

  it('refuses a request without the token, and serves the page with it', async () => {
    const job = await buildReviewJob({ forms: 1 });
    const { srv } = await serve(job.dir, 'tok.reviewer');
    const page = await newPage();
    for (const p of ['/', '/app.js', '/api/progress', `/${'A'.repeat(srv.token.length)}/`]) {
      const res = await page.goto(srv.origin + p);
      expect(res!.status(), p).toBe(403);
    }
    const ok = await page.goto(srv.url);
    expect(ok!.status()).toBe(200);
    expect(ok!.headers()['content-security-policy']).toContain("default-src 'self'");
  }, 60_000);

  it('shows the NHS number check as the person types; Alt+I keys it illegible; Alt+M shows the whole form', async () => {
    const job = await buildReviewJob({ forms: 1, doubtful: ['patient.nhs'] });
    const { srv, store } = await serve(job.dir, 'nhs.reviewer');
    const page = await newPage();
    await page.goto(srv.url + '#field');
    await page.waitForSelector('.card');
    await page.selectOption('#kind', 'nhs-number');
    await page.waitForSelector('.card .live');
    const input = page.locator('.card input.value').first();
    await input.focus();
    // The machine's valid reading is the first keying: this person keys blind, so the box starts empty.
    expect(await input.inputValue()).toBe('');
    const nhs = String((job.truth.get(job.serials[0]!)!.patient as { nhsNumber: string }).nhsNumber);
    await page.keyboard.type(nhs);
    await waitText(page, '.card .live', /^✓ check digit correct$/);
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await waitText(page, '.card .live', /^9 of 10 digits$/);
    await page.keyboard.type(String((Number(nhs[9]) + 1) % 10));
    await waitText(page, '.card .live', /✗ check digit wrong/);
    await page.keyboard.press('Alt+M');
    await page.waitForSelector('#formview:not([hidden]) svg rect.zone.current');
    expect(await page.locator('#formview rect.zone').count()).toBeGreaterThan(50);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#formview', { state: 'hidden' });
    await page.keyboard.press('Alt+I');
    await waitText(page, '#message', /keyings differ/);
    const k = store.review.keyingsOf(job.serials[0]!, 'patient.nhs');
    expect(k).toMatchObject([{ reviewer: 'nhs.reviewer', action: 'illegible' }]);
  }, 60_000);
});
