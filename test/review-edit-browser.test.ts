// Editing the machine's reading (F2) in real Chromium: in group view a comb field opens in overtype with the block on
// the character the machine was least sure of, free text with the caret at the end of the reading; nothing is saved
// until Enter, Escape puts the tile back as read, the audit says the value was keyed by editing the reading, and a
// blind keying has no reading to edit. Also checks bench:review's model of the editing keys (scripts/review-edit-plan.ts)
// against what Chromium does with them, since the bench counts a person's keys by that model.
import { it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { buildReviewJob, describeInChromium, reviewBrowserSession } from './helpers/browser.ts';
import { testNhsNumber } from './helpers/job-fixture.ts';
import { EDITED_NOTE } from '../src/review/server.ts';
import { afterKey, planEdit, type EditMode, type EditState } from '../scripts/review-edit-plan.ts';

const session = reviewBrowserSession({ width: 1366, height: 768 });

/** Box alternatives for a comb reading: each box sure of its character, but for those `others` names. */
const boxes = (text: string, others: Record<number, { char: string; p: number }[]> = {}) => [...text].map((c, i) => others[i] ?? [{ char: c, p: 1 }]);

const noteOf = (store: { db: import('better-sqlite3').Database }, serial: string, fieldId: string) =>
  (store.db.prepare("SELECT note FROM audit WHERE serial = ? AND field_id = ? AND action LIKE 'review-%' ORDER BY id DESC LIMIT 1").get(serial, fieldId) as { note: string | null } | undefined)?.note;

const boxOf = (page: Page, sel: string): Promise<EditState> =>
  page.$eval(sel, (e) => {
    const i = e as HTMLInputElement;
    return { v: i.value, s: i.selectionStart!, e: i.selectionEnd! };
  });

describeInChromium("editing the machine's reading in Chromium", session, () => {
  it('group view, a comb field: F2 opens overtype on the least sure character; one key fixes it, Enter saves it, audited as edited; Escape keeps the reading', async () => {
    // The paper says SO16 8RW; form 0 was read S016 8RW, the classifier unsure of its second box.
    const job = await buildReviewJob({
      forms: 3,
      doubtful: ['patient.postcode'],
      misreads: { 0: { 'patient.postcode': 'S016 8RW' } },
      alternatives: { 0: { 'patient.postcode': boxes('S016 8RW', { 1: [{ char: '0', p: 0.55 }, { char: 'O', p: 0.45 }] }) } },
    });
    const { srv, store } = await session.serve(job.dir, 'edit.one');
    const page = await session.newPage();
    await page.goto(srv.url + '#group=patient.postcode');
    await page.waitForSelector('.tile.active');
    const [first] = job.serials;
    const tile = `.tile[data-serial="${first}"]`;
    await page.locator(tile).click();
    expect(await page.locator('.tile.active').getAttribute('data-serial')).toBe(first);
    expect(await page.locator('#keys').textContent()).toContain('F2 edit');
    // F2, then Escape: the tile is as read, nothing saved.
    await page.keyboard.press('F2');
    expect(await boxOf(page, `${tile} .tile-input`)).toEqual({ v: 'S016 8RW', s: 1, e: 2 });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.type('X');
    expect(await boxOf(page, `${tile} .tile-input`)).toEqual({ v: 'S0X6 8RW', s: 3, e: 4 });
    await page.keyboard.press('Escape');
    expect(await page.locator(`${tile} .tile-input`).isHidden()).toBe(true);
    expect(await page.locator(`${tile} .tile-value`).textContent()).toBe('S016 8RW');
    expect(store.records.field(first!, 'patient.postcode')).toMatchObject({ status: 'needs-review' });
    // F2 again starts from the reading; O replaces the 0 under the block; Enter saves.
    await page.keyboard.press('F2');
    expect(await boxOf(page, `${tile} .tile-input`)).toEqual({ v: 'S016 8RW', s: 1, e: 2 });
    await page.keyboard.type('O');
    expect(await boxOf(page, `${tile} .tile-input`)).toEqual({ v: 'SO16 8RW', s: 2, e: 3 });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${tile}.done`);
    expect(store.records.field(first!, 'patient.postcode')).toMatchObject({ status: 'verified', value: 'SO16 8RW', verifiedBy: 'edit.one' });
    expect(noteOf(store, first!, 'patient.postcode')).toBe(EDITED_NOTE);
    // The rest of the screen is confirmed as read, with no note.
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.tile:not(.done)') || document.querySelector('.batch-title h1')?.textContent !== 'Patient - Postcode', undefined, { timeout: 15_000 });
    for (const s of job.serials.slice(1)) {
      expect(store.records.field(s, 'patient.postcode')).toMatchObject({ status: 'verified', value: 'SO16 8RW' });
      expect(noteOf(store, s, 'patient.postcode')).toBeNull();
    }
  }, 60_000);

  it('group view, free text: F2 puts the reading in the box with the caret at its end; Ctrl+arrows and Backspace fix a word; Tab afterwards takes a suggestion instead', async () => {
    const job = await buildReviewJob({ forms: 2, doubtful: ['patient.address'], misreads: { 0: { 'patient.address': '176 ORCHARD WAV, SOUTHAMPTON' }, 1: { 'patient.address': '176 ORCHARD WAY, SOUTHAMPTQN' } } });
    const { srv, store } = await session.serve(job.dir, 'edit.two');
    const page = await session.newPage();
    await page.goto(srv.url + '#group=patient.address');
    await page.waitForSelector('.tile.active');
    const [first, second] = job.serials;
    await page.locator(`.tile[data-serial="${first}"]`).click();
    await page.keyboard.press('F2');
    const input = `.tile[data-serial="${first}"] .tile-input`;
    expect(await boxOf(page, input)).toEqual({ v: '176 ORCHARD WAV, SOUTHAMPTON', s: 28, e: 28 });
    for (const k of ['Control+ArrowLeft', 'Control+ArrowLeft', 'Backspace', 'Y']) await page.keyboard.press(k);
    expect((await boxOf(page, input)).v).toBe('176 ORCHARD WAY, SOUTHAMPTON');
    expect(store.records.field(first!, 'patient.address')).toMatchObject({ status: 'needs-review' });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tile[data-serial="${first}"].done`);
    expect(store.records.field(first!, 'patient.address')).toMatchObject({ status: 'verified', value: '176 ORCHARD WAY, SOUTHAMPTON' });
    expect(noteOf(store, first!, 'patient.address')).toBe(EDITED_NOTE);
    // The second tile: what was just saved is near its reading, so it is offered before any key. F2 then Tab: the
    // box holds the suggestion, and the note says a suggestion was taken, not that the reading was edited.
    await page.waitForSelector(`.tile.active[data-serial="${second}"]`);
    expect(await page.locator(`.tile[data-serial="${second}"] .tile-suggest`).getAttribute('data-full')).toBe('176 ORCHARD WAY, SOUTHAMPTON');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tile[data-serial="${second}"].done`);
    expect(store.records.field(second!, 'patient.address')).toMatchObject({ status: 'verified', value: '176 ORCHARD WAY, SOUTHAMPTON' });
    expect(noteOf(store, second!, 'patient.address')).not.toContain(EDITED_NOTE);
  }, 60_000);

  it('field view: F2 on a comb card overtypes from the least sure character; a blind keying has no reading to edit and is sent none', async () => {
    const nhs = testNhsNumber(4242);
    const job = await buildReviewJob({
      forms: 1,
      doubtful: ['incident.callsign', 'patient.nhs'],
      misreads: { 0: { 'incident.callsign': 'HA15Z', 'patient.nhs': nhs } },
      alternatives: { 0: { 'incident.callsign': boxes('HA15Z', { 4: [{ char: 'Z', p: 0.5 }, { char: '2', p: 0.4 }] }), 'patient.nhs': boxes(nhs, { 3: [{ char: nhs[3]!, p: 0.5 }] }) } },
    });
    const { srv, store } = await session.serve(job.dir, 'edit.three');
    const page = await session.newPage();
    const sent: { fieldId?: string; doubtAt?: number }[] = [];
    page.on('response', async (r) => {
      if (r.url().includes('/api/')) sent.push(...(((await r.json().catch(() => ({}))) as { items?: { fieldId?: string }[] }).items ?? []));
    });
    await page.goto(srv.url + '#field');
    const call = '.card[data-field-id="incident.callsign"] .value';
    await page.waitForSelector(call);
    await page.focus(call);
    await page.keyboard.press('F2');
    expect(await boxOf(page, call)).toEqual({ v: 'HA15Z', s: 4, e: 5 });
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    const serial = job.serials[0]!;
    await page.waitForSelector('.card[data-field-id="incident.callsign"].done');
    expect(store.records.field(serial, 'incident.callsign')).toMatchObject({ status: 'verified', value: 'HA152' });
    expect(noteOf(store, serial, 'incident.callsign')).toBe(EDITED_NOTE);
    // The NHS number is keyed blind (the machine's reading is the first keying): F2 leaves its box empty.
    const blind = '.card[data-field-id="patient.nhs"] .value';
    expect(await page.locator('.card[data-field-id="patient.nhs"]').getAttribute('data-stage')).toBe('second');
    await page.focus(blind);
    await page.keyboard.press('F2');
    expect(await page.locator(blind).inputValue()).toBe('');
    const nhsSent = sent.filter((i) => i.fieldId === 'patient.nhs');
    expect(nhsSent.length).toBeGreaterThan(0);
    expect(nhsSent.every((i) => i.doubtAt === undefined)).toBe(true);
    expect(store.review.keyingsOf(serial, 'patient.nhs')).toEqual([]);
  }, 60_000);

  it("bench:review's model of the editing keys is what Chromium does with them (one-line box, multi-line box, overtype)", async () => {
    const { srv } = await session.serve((await buildReviewJob({ forms: 1 })).dir, 'edit.model');
    const page = await session.newPage();
    // The review page itself, for its overtype code (edit.js) and a textarea like the field view's.
    await page.goto(srv.url + '#field');
    await page.waitForFunction(() => typeof (window as unknown as { overtypeKey?: unknown }).overtypeKey === 'function');
    await page.evaluate(() => {
      const box = document.createElement('div');
      box.innerHTML = '<input id="m-insert" style="width:1200px"><textarea id="m-lines" cols="120" rows="2"></textarea><input id="m-overtype">';
      document.body.prepend(box);
      const o = document.getElementById('m-overtype') as HTMLInputElement;
      o.addEventListener('keydown', (ev) => (window as unknown as { overtypeKey(ev: KeyboardEvent, i: HTMLInputElement): boolean }).overtypeKey(ev, o));
    });
    const cases: { mode: EditMode; from: string; to: string; at?: number }[] = [
      { mode: 'insert', from: 'FLAT 23, 3S Tie AVENUE, SOUTHAMPTON', to: 'FLAT 23, 75 THE AVENUE, SOUTHAMPTON' },
      { mode: 'insert', from: 'RNXIETY, NCOMOL EXCESS, PERSONMITY DISORDER', to: 'ANXIETY, ALCOHOL EXCESS, PERSONALITY DISORDER' },
      { mode: 'insert', from: 'froth GROLESTEROL, ANGINA, T2DM', to: 'HIGH CHOLESTEROL, ANGINA, T2DM' },
      { mode: 'insert', from: 'DONEPEZ\\IL, CO-LARELIDOPA', to: 'DONEPEZIL, CO-CARELDOPA' },
      { mode: 'lines', from: 'T2DM, HIGH CHOLESTEROL, Mi 20)', to: 'T2DM, HIGH CHOLESTEROL, MI 2019' },
      { mode: 'lines', from: 'COLLAPSE, NOW RECOVERED :', to: 'COLLAPSE, NOW RECOVERED' },
      { mode: 'overtype', from: 'P030 8YG', to: 'PO30 8YG', at: 3 },
      { mode: 'overtype', from: 'B WRIGHT ?', to: 'B WRIGHT', at: 0 },
      { mode: 'overtype', from: '2 SMG', to: '2.5MG', at: 4 },
    ];
    for (const c of cases) {
      const sel = `#m-${c.mode}`;
      const start: EditState = c.mode === 'overtype' ? { v: c.from, s: c.at!, e: c.at! + 1 } : { v: c.from, s: c.from.length, e: c.from.length };
      await page.$eval(sel, (e, st) => {
        const i = e as HTMLInputElement;
        i.value = st.v;
        i.dataset.overtype = e.id === 'm-overtype' ? '1' : '';
        i.focus();
        i.setSelectionRange(st.s, st.e);
      }, start);
      const plan = planEdit(start, c.to, c.mode)!;
      let want = start;
      for (const k of plan.keys) {
        if (k.length === 1) await page.keyboard.type(k);
        else await page.keyboard.press(k);
        want = afterKey(want, k, c.mode);
        expect({ key: k, ...(await boxOf(page, sel)) }).toEqual({ key: k, ...want });
      }
      expect(want.v).toBe(c.to);
    }
  }, 60_000);
});
