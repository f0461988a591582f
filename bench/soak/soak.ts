// The soak: kills every writing command at seeded random moments, runs it again, and checks the job after each
// recovery; then throws generated hostile inputs at scan and review apply and checks nothing crashed or hung.
// Bounded in time; the same seed gives the same sequence of commands, kill moments and inputs.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { JobStore } from '../../src/job/store.ts';
import { buildJobFixture } from '../../test/helpers/job-fixture.ts';
import { seededRandom } from '../../test/helpers/crash.ts';
import { hostileCsvs, hostileScans } from './hostile.ts';

const BIN = new URL('../../bin/prf-backload', import.meta.url).pathname;
const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
export const KILL_COMMANDS = ['scan', 'validate', 'review apply', 'review server', 'export', 'export --reissue'] as const;
type KillCommand = (typeof KILL_COMMANDS)[number];

export interface SoakOptions {
  seed: number;
  seconds: number;
  /** Share of the time given to hostile inputs (the rest to kills). */
  hostileShare?: number;
  /** Stop the kill phase once this many kills are done (CI sample); default: run to the deadline. */
  maxKills?: number;
  /** Only the first n hostile kinds of each sort (CI sample). */
  hostileLimit?: number;
  log?: (line: string) => void;
}

export interface KillRow { command: KillCommand; kills: number; runs: number; halfDone: number; lost: number; duplicated: number; problems: string[] }
export interface SoakResult {
  seed: number;
  seconds: number;
  kills: Record<KillCommand, KillRow>;
  totalKills: number;
  inputs: { kinds: number; runs: number; crashes: number; hangs: number; peakRssMb: number; failures: string[] };
}

interface Run { code: number | null; signal: NodeJS.Signals | null; killed: boolean; stdout: string; stderr: string; peakRssKb: number; hung: boolean }

/** Run the CLI; SIGKILL it after killAfterMs (if still running) or at hardMs (a hang). Peak RSS from /proc. */
/**
 * Run the CLI. With killAfterMs, SIGKILL it that long after it is armed: when `armed()` first holds (polled every
 * 50 ms; e.g. once the command holds the job lock, so the kill lands in its work, not its start-up), else at once.
 */
function cli(args: string[], o: { killAfterMs?: number; armed?: () => boolean; hardMs?: number; onStdout?: (s: string) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let hung = false;
    let peak = 0;
    child.stdout.on('data', (d) => {
      stdout += d;
      o.onStdout?.(stdout);
    });
    child.stderr.on('data', (d) => (stderr += d));
    let killTimer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (o.killAfterMs === undefined || killTimer) return;
      killTimer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), o.killAfterMs);
    };
    if (!o.armed) arm();
    const poll = setInterval(() => {
      if (o.armed && !killTimer && o.armed()) arm();
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // exited
      }
    }, 50);
    const hard = setTimeout(() => ((hung = true), child.kill('SIGKILL')), o.hardMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(hard);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, killed: killed && signal === 'SIGKILL', stdout, stderr, peakRssKb: peak, hung });
    });
  });
}

/** Whether a command holds the job's lock now (a read-only look, as status would take). */
function lockHeld(jobDir: string): boolean {
  const file = join(jobDir, 'job.sqlite');
  if (!existsSync(file)) return false;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(`SELECT 1 FROM meta WHERE key = 'job_lock'`).get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** After a recovery: the job's own invariants. Returns problems (empty when all hold), and lost/duplicated counts. */
function checkJob(jobDir: string, outDir: string | undefined, expectPages?: number): { problems: string[]; lost: number; duplicated: number } {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  const store = JobStore.open(jobDir);
  try {
    const ic = store.integrityCheck();
    if (!ic.ok) problems.push(`integrity: ${ic.problems.join('; ')}`);
    const counts = store.statusCounts();
    if (!counts.reconciles) problems.push(`does not reconcile: ${counts.problems.join('; ')}`);
    if (counts.sources.reading) problems.push(`${counts.sources.reading} source(s) left reading`);
    if (expectPages !== undefined && counts.pages.total !== expectPages) {
      if (counts.pages.total < expectPages) lost += expectPages - counts.pages.total;
      else duplicated += counts.pages.total - expectPages;
      problems.push(`pages ${counts.pages.total}, expected ${expectPages}`);
    }
    const seen = new Map<string, string>();
    for (const b of store.batches.all()) {
      for (const serial of store.batches.batchRecords(b.id)) {
        if (seen.has(serial)) {
          duplicated++;
          problems.push(`form ${serial} in ${seen.get(serial)} and ${b.id}`);
        }
        seen.set(serial, b.id);
      }
      if (outDir) {
        const manifest = join(outDir, b.id, 'manifest.json');
        if (!existsSync(manifest)) {
          lost++;
          problems.push(`committed ${b.id} has no folder`);
        } else if (sha(manifest) !== b.manifestSha256) {
          lost++;
          problems.push(`committed ${b.id}: manifest hash differs`);
        } else {
          const m = JSON.parse(readFileSync(manifest, 'utf8')) as { files: { path: string; sha256: string }[] };
          for (const f of m.files) if (!existsSync(join(outDir, b.id, f.path)) || sha(join(outDir, b.id, f.path)) !== f.sha256) {
            lost++;
            problems.push(`${b.id}/${f.path} missing or changed`);
          }
        }
      }
    }
    if (outDir) {
      const left = store.batches.readyUnexported();
      if (left.length) problems.push(`${left.length} ready form(s) not exported after the rerun`);
    }
  } finally {
    store.close();
  }
  return { problems, lost, duplicated };
}

/** Whether a kill left the job part-done: its lock still names the dead process, or crash leftovers are on disk. */
function halfDone(jobDir: string, outDir?: string): boolean {
  if (!existsSync(join(jobDir, 'job.sqlite'))) return false; // killed before the job existed
  const store = JobStore.open(jobDir);
  let locked: boolean;
  try {
    locked = store.getMeta('job_lock') !== undefined || store.statusCounts().sources.reading > 0;
  } finally {
    store.close();
  }
  const left = outDir && existsSync(outDir) ? readdirSync(outDir).some((n) => /\.(partial|old)$|^\.tmp-/.test(n)) : false;
  return locked || left;
}

const SCAN_CORPUS = [['scans', 'scan-001-0001.png'], ['scans', 'scan-001-0002.png'], ['pages', 'blank-page.png'], ['bad', 'truncated.png']];

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const rand = seededRandom(o.seed);
  const root = mkdtempSync(join(tmpdir(), 'prf-soak-'));
  const rows = Object.fromEntries(KILL_COMMANDS.map((c) => [c, { command: c, kills: 0, runs: 0, halfDone: 0, lost: 0, duplicated: 0, problems: [] as string[] }])) as Record<KillCommand, KillRow>;
  const inputs = { kinds: 0, runs: 0, crashes: 0, hangs: 0, peakRssMb: 0, failures: [] as string[] };
  let n = 0;
  const fresh = (name: string) => join(root, `${String(n++).padStart(4, '0')}-${name}`);
  try {
    // A scanned, validated job: the base copied for validate, review apply and review server cycles.
    const scans = join(root, 'scans');
    mkdirSync(scans);
    for (const [sub, name] of SCAN_CORPUS) copyFileSync(join(FIXTURES, sub!, name!), join(scans, name!));
    const base = join(root, 'base-job');
    await cli(['scan', scans, '--job', base, '--workers', '1']);
    const today = ['--today', '2026-12-01'];
    await cli(['validate', '--job', base, ...today]);
    const csvBase = join(root, 'base.csv');
    await cli(['review', 'export', '--job', base, '--out', csvBase]);
    const csvText = readFileSync(csvBase, 'utf8');
    const [header, ...body] = csvText.trim().split('\n');
    const firstRow = body[0] ? parseCsvLine(body[0]) : [];
    const acceptAll = join(root, 'accept-all.csv');
    writeCsv(acceptAll, [header!, ...body.map((l) => { const r = parseCsvLine(l); r[r.length - 2] = 'blank'; return r.map(quote).join(','); })].join('\n') + '\n');

    // The time budget starts after the set-up. Hostile inputs first, bounded by their share of it.
    const deadline = Date.now() + o.seconds * 1000;
    const hostileDeadline = Date.now() + o.seconds * 1000 * (o.hostileShare ?? 0.4);
    const scanKinds = hostileScans().slice(0, o.hostileLimit);
    const csvKinds = hostileCsvs().slice(0, o.hostileLimit);
    const note = (kind: string, r: Run, okCodes: number[]) => {
      inputs.runs++;
      inputs.peakRssMb = Math.max(inputs.peakRssMb, r.peakRssKb / 1024);
      if (r.hung) {
        inputs.hangs++;
        inputs.failures.push(`${kind}: hung`);
      } else if (r.signal || !okCodes.includes(r.code ?? -1) || /\n\s+at |RangeError|TypeError|SQLITE_|ENOENT|EEXIST/.test(r.stderr)) {
        inputs.crashes++;
        inputs.failures.push(`${kind}: exit ${r.code ?? r.signal} ${r.stderr.split('\n')[0]?.slice(0, 160)}`);
      }
      if (r.peakRssKb / 1024 > 1536) inputs.failures.push(`${kind}: peak RSS ${Math.round(r.peakRssKb / 1024)} MB`);
    };
    for (const k of scanKinds) {
      if (Date.now() > hostileDeadline) break;
      inputs.kinds++;
      const dir = fresh('hostile');
      mkdirSync(dir);
      const paths = k.make(dir, rand);
      const job = fresh('hostile-job');
      const r = await cli(['scan', ...paths, '--job', job, '--workers', '1'], { hardMs: 90_000 });
      note(`scan: ${k.kind}`, r, [0, 1, 3]);
      if (existsSync(join(job, 'job.sqlite'))) {
        const c = checkJob(job, undefined);
        if (c.problems.length) inputs.failures.push(`scan: ${k.kind}: ${c.problems.join('; ')}`);
      }
      rmDeep(dir);
    }
    for (const k of csvKinds) {
      if (Date.now() > hostileDeadline) break;
      inputs.kinds++;
      const job = fresh('apply-job');
      cpSync(base, job, { recursive: true });
      const file = join(root, 'hostile.csv');
      writeCsv(file, k.make(header!, firstRow, rand));
      const r = await cli(['review', 'apply', file, '--job', job, '--reviewer', 'soak.tester', ...today], { hardMs: 90_000 });
      note(`review apply: ${k.kind}`, r, [0, 1, 2, 3]);
      const c = checkJob(job, undefined);
      if (c.problems.length) inputs.failures.push(`review apply: ${k.kind}: ${c.problems.join('; ')}`);
      rmSync(job, { recursive: true, force: true });
    }
    log(`hostile inputs: ${inputs.kinds} kinds, ${inputs.crashes} crashes, ${inputs.hangs} hangs`);

    // Kills, command by command in a seeded order, until the deadline.
    let total = 0;
    while (Date.now() < deadline && (o.maxKills === undefined || total < o.maxKills)) {
      const command = KILL_COMMANDS[Math.floor(rand() * KILL_COMMANDS.length)]!;
      const row = rows[command];
      const killAfterMs = Math.round(rand() * ({ scan: 8000, validate: 1500, 'review apply': 1500, 'review server': 3000, export: 1500, 'export --reissue': 600 } as const)[command]);
      let job: string;
      let out: string | undefined;
      let expectPages: number | undefined;
      let run: Run;
      let rerun: () => Promise<Run>;
      if (command === 'scan') {
        job = fresh('scan-job');
        expectPages = SCAN_CORPUS.length;
        const args = ['scan', scans, '--job', job, '--workers', '1'];
        run = await cli(args, { killAfterMs, armed: () => lockHeld(job) });
        rerun = () => cli(args);
      } else if (command === 'export' || command === 'export --reissue') {
        const f = buildJobFixture({ dir: fresh('export-job'), records: 6, notReady: 0 });
        f.store.close();
        job = f.dir;
        out = join(job, '..', `${job.split('/').pop()}-out`);
        const args = ['export', '--job', job, '--out', out, '--batch-size', '2'];
        if (command === 'export --reissue') {
          await cli(args);
          run = await cli([...args, '--reissue', `batch-000${1 + Math.floor(rand() * 3)}`], { killAfterMs, armed: () => lockHeld(job) });
        } else run = await cli(args, { killAfterMs, armed: () => lockHeld(job) });
        rerun = () => cli(args);
      } else {
        job = fresh('review-job');
        cpSync(base, job, { recursive: true });
        if (command === 'validate') {
          const args = ['validate', '--job', job, ...today];
          run = await cli(args, { killAfterMs, armed: () => lockHeld(job) });
          rerun = () => cli(args);
        } else if (command === 'review apply') {
          const args = ['review', 'apply', acceptAll, '--job', job, '--reviewer', 'soak.tester', ...today];
          run = await cli(args, { killAfterMs, armed: () => lockHeld(job) });
          rerun = () => cli(args);
        } else {
          run = await reviewServerRun(job, killAfterMs);
          rerun = () => cli(['validate', '--job', job, ...today]);
        }
      }
      row.runs++;
      if (!run.killed) continue; // finished before the kill: not a kill
      row.kills++;
      total++;
      if (halfDone(job, out)) row.halfDone++;
      const again = await rerun();
      row.runs++;
      if (again.hung || again.signal) row.problems.push(`rerun ${again.hung ? 'hung' : again.signal}`);
      const c = checkJob(job, out, expectPages);
      row.lost += c.lost;
      row.duplicated += c.duplicated;
      row.problems.push(...c.problems);
      if (/SQLITE_|UNIQUE constraint|database is locked|\n\s+at /.test(again.stderr)) row.problems.push(`rerun said: ${again.stderr.split('\n')[0]}`);
      rmSync(job, { recursive: true, force: true });
      if (out) rmSync(out, { recursive: true, force: true });
      if (total % 10 === 0) log(`kills: ${total}`);
    }
    return { seed: o.seed, seconds: o.seconds, kills: rows, totalKills: total, inputs: { ...inputs, peakRssMb: Math.round(inputs.peakRssMb) } };
  } finally {
    rmDeep(root);
  }
}

/** The review page, deciding field after field through its API, killed after killAfterMs. */
async function reviewServerRun(job: string, killAfterMs: number): Promise<Run> {
  let started = false;
  return cli(['review', '--job', job, '--reviewer', 'soak.tester', '--today', '2026-12-01'], {
    killAfterMs,
    armed: () => started, // from the first decision request on
    onStdout: (text) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/[^/\s]+\/)/.exec(text);
      if (!m || started) return;
      started = true;
      void decideLoop(m[1]!);
    },
  });
}

async function decideLoop(url: string): Promise<void> {
  const origin = new URL(url).origin;
  const post = async (path: string, body: unknown) =>
    (await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) })).json() as Promise<{ items?: { serial: string; fieldId: string; version?: number; fieldVersion?: number }[] }>;
  try {
    for (let round = 0; round < 50; round++) {
      const next = await post('api/next', {});
      if (!next.items?.length) return;
      for (const it of next.items) await post('api/decide', { serial: it.serial, fieldId: it.fieldId, action: 'blank', expectedVersion: it.version ?? it.fieldVersion ?? 1 });
    }
  } catch {
    // the server was killed mid-request: that is the point
  }
}

function parseCsvLine(l: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < l.length; i++) {
    const ch = l[i]!;
    if (q) {
      if (ch === '"' && l[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}
const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function writeCsv(path: string, data: string | Buffer): void {
  rmSync(path, { force: true });
  writeFileSync(path, data, { mode: 0o600 }); // it holds values read off forms
}

/** Remove a tree that may hold a 3,000-deep folder (rmSync's own recursion overflows on it). */
function rmDeep(dir: string): void {
  if (existsSync(dir)) spawnSync('rm', ['-rf', dir]);
}
