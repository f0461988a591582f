// What one save on the review page costs the server on a large job: every save answers with the progress over the
// whole queue, and that must not grow with the job. Makes a large job by copying a kept job's records N times
// under new serials (their fields, audit and keyings with them; the page images are shared), starts the review
// server on it, claims a screen of group view and saves decisions through the real HTTP API, timing each. Prints
// CPU ms (user+sys of this process, which holds on a shared machine) and wall ms a save, and of progress() alone.
// It uses only the server and progress(), so it also runs against an older checkout.
//
//   node --import tsx bench/review-save.ts --job bench/results/review-corpus/job --copies 50
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JobStore } from '../src/job/store.ts';
import { reviewContext } from '../src/review/context.ts';
import { progress } from '../src/review/queue.ts';
import { startReviewServer } from '../src/review/server.ts';
import { inflateJob } from './inflate-job.ts';

const { values: args } = parseArgs({
  options: {
    job: { type: 'string', default: 'bench/results/review-corpus/job' },
    copies: { type: 'string', default: '50' },
    saves: { type: 'string', default: '30' },
    label: { type: 'string', default: 'this tree' },
    out: { type: 'string', default: 'bench/results/review-save.json' },
  },
});

const copies = Number(args.copies);
const root = mkdtempSync(join(tmpdir(), 'review-save-'));
const dir = join(root, 'job');
cpSync(args.job!, dir, { recursive: true });

const store = JobStore.open(dir);
const t0 = Date.now();
inflateJob(store, copies);
const counts = {
  forms: (store.db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n,
  fields: (store.db.prepare('SELECT count(*) AS n FROM fields').get() as { n: number }).n,
  queued: (store.db.prepare("SELECT count(*) AS n FROM fields WHERE status = 'needs-review'").get() as { n: number }).n,
  audit: (store.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n,
};
process.stderr.write(`review-save: ${counts.forms} forms, ${counts.queued} queued fields (made in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);

const ctx = reviewContext(store, { today: '2026-01-01' });
const cpuMs = (f: () => unknown) => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
progress(ctx, 'bench.one');
const progressMs = Array.from({ length: 10 }, () => cpuMs(() => progress(ctx, 'bench.one')));

const srv = await startReviewServer({ ctx, reviewer: 'bench.one' });
const post = async (path: string, body: unknown) => {
  const res = await fetch(srv.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: srv.origin }, body: JSON.stringify(body) });
  return { status: res.status, data: (await res.json()) as any };
};
const saves: { cpu: number; wall: number }[] = [];
while (saves.length < Number(args.saves)) {
  const group = await post('api/group', { limit: 40 });
  if (!group.data.items?.length) break;
  for (const item of group.data.items) {
    if (saves.length >= Number(args.saves)) break;
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const action = item.guess ? 'enter' : 'illegible';
    const r = await post('api/decide', { serial: item.serial, fieldId: item.fieldId, action, text: item.guess, expectedVersion: item.version });
    const c = process.cpuUsage(c0);
    if (r.status !== 200 && r.status !== 422) throw new Error(`save refused: ${r.status} ${JSON.stringify(r.data).slice(0, 200)}`);
    saves.push({ cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 });
  }
}
await srv.close();
store.close();
rmSync(root, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = {
  label: args.label!,
  ...counts,
  saves: saves.length,
  saveCpuMs: median(saves.map((s) => s.cpu)),
  saveWallMs: median(saves.map((s) => s.wall)),
  progressCpuMs: median(progressMs),
};
const lines = [
  '| tree | forms | queued fields | audit rows | saves | CPU ms a save (median) | wall ms a save (median) | progress() CPU ms |',
  '|---|---|---|---|---|---|---|---|',
  `| ${row.label} | ${row.forms} | ${row.queued} | ${row.audit} | ${row.saves} | ${row.saveCpuMs.toFixed(1)} | ${row.saveWallMs.toFixed(1)} | ${row.progressCpuMs.toFixed(1)} |`,
];
process.stdout.write(lines.join('\n') + '\n');
mkdirSync(join(args.out!, '..'), { recursive: true });
writeFileSync(args.out!, JSON.stringify({ ...row, at: new Date().toISOString() }, null, 2) + '\n');
