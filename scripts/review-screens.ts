// Screenshots of the review page at 1366x768 (group view, field view), to look at what a person sees.
//   node --import tsx scripts/review-screens.ts --job demo/job --out bench/results/screens
//   (--group patient.postcode --focus '[data-serial="001000"]' --edit 'ArrowLeft': also the tile opened with F2)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { startReviewServer } from '../src/review/server.ts';

const { values: args } = parseArgs({
  options: {
    job: { type: 'string' },
    out: { type: 'string', default: 'bench/results/screens' },
    group: { type: 'string' },
    /** Move (arrows in group view, Tab in field view) until the active tile or card matches, e.g. .has-finding */
    focus: { type: 'string' },
    kind: { type: 'string' },
    /** Also screenshot the active tile and card opened with F2 (editing the machine's reading), after these keys. */
    edit: { type: 'string' },
    today: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
if (!args.job) throw new Error('--job DIR is needed');
mkdirSync(args.out!, { recursive: true, mode: 0o700 });
const store = JobStore.open(args.job);
const srv = await startReviewServer({ ctx: reviewContext(store, { today: args.today }), reviewer: 'screens' });
const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  async function moveTo(key: string, active: string) {
    if (!args.focus) return;
    for (let i = 0; i < 80 && !(await page.locator(`${active}${args.focus}`).count()); i++) await page.keyboard.press(key);
  }
  await page.goto(srv.url + (args.group ? `#group=${args.group}` : ''));
  await page.waitForSelector('.tile.active, .empty');
  await moveTo('ArrowRight', '.tile.active');
  await page.waitForLoadState('networkidle');
  const tiles = await page.evaluate(() => {
    const all = Array.from(document.querySelectorAll('.tile'));
    return { whole: all.filter((t) => t.getBoundingClientRect().bottom <= innerHeight).length, claimed: all.length };
  });
  await page.screenshot({ path: join(args.out!, 'group-view.png') });
  async function editShot(name: string) {
    if (args.edit === undefined) return;
    await page.keyboard.press('F2');
    for (const k of args.edit.split(' ').filter(Boolean)) await page.keyboard.press(k);
    await page.screenshot({ path: join(args.out!, name) });
    await page.keyboard.press('Escape');
  }
  await editShot('group-edit.png');
  await page.goto('about:blank');
  await page.goto(srv.url + '#chars');
  await page.waitForSelector('.ctile.active, .empty');
  await page.waitForLoadState('networkidle');
  const boxes = await page.evaluate(() => Array.from(document.querySelectorAll('.ctile')).filter((t) => t.getBoundingClientRect().bottom <= innerHeight).length);
  await page.screenshot({ path: join(args.out!, 'char-view.png') });
  await page.goto('about:blank');
  await page.goto(srv.url + '#field');
  await page.waitForSelector('.card, .empty');
  if (args.kind) {
    await page.selectOption('#kind', args.kind);
    await page.waitForSelector('.card .value:focus');
  }
  await moveTo('Tab', '.card.active');
  await page.waitForLoadState('networkidle');
  const visible = await page.evaluate(() => Array.from(document.querySelectorAll('.card')).filter((c) => c.getBoundingClientRect().bottom <= innerHeight).length);
  await page.screenshot({ path: join(args.out!, 'field-view.png') });
  await editShot('field-edit.png');
  console.log(`screens written to ${args.out}; at 1366x768 group view shows ${tiles.whole} whole tile(s) of ${tiles.claimed} on the screen, character view ${boxes} whole box(es), field view ${visible} whole card(s)`);
} finally {
  await browser.close();
  await srv.close();
  store.close();
}
