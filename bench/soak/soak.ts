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
import { hostileCsvs, hostileScans, type HostileScan } from './hostile.ts';

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
  /** The commands to kill (default: every writing command; the CI sample takes a few quick ones). */
  commands?: readonly KillCommand[];
  /** Kill trials run side by side (default 1: one at a time, for a shared machine). */
  lanes?: number;
  /** Only the first n hostile kinds of each sort, each run whatever the time (CI sample: a loaded machine's slow
   * scan must not leave the corrections-CSV kind out); without it, as many as the hostile share of the time allows. */
  hostileLimit?: number;
  log?: (line: string) => void;
}

export interface KillRow { command: KillCommand; kills: number; runs: number; halfDone: number; lost: number; duplicated: number; problems: string[] }
export interface SoakResult {
  seed: number;
  seconds: number;
  lanes: number;
  kills: Record<KillCommand, KillRow>;
  totalKills: number;
  inputs: { kinds: number; kindNames: string[]; runs: number; crashes: number; hangs: number; peakRssMb: number; failures: string[] };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  peakRssKb: number;
  hung: boolean;
  /** Milliseconds from when the run was armed (it held the job lock) to its exit, or undefined if never armed. */
  armedMs?: number;
}

interface KillOptions {
  killAfterMs?: number;
}

/** One kill trial's job: a fresh copy to run the command in, the run (killed or not) and the recovery. */
interface Trial {
  job: string;
  out?: string;
  expectPages?: number;
  run: (k: KillOptions) => Promise<Run>;
  rerun: () => Promise<Run>;
}

/**
 * Run the CLI. It is armed when `armed()` first holds (polled every 20 ms; e.g. once the command holds the job
 * lock, so a kill lands in its work, not its start-up), else at once. With killAfterMs, SIGKILL it that long after
 * it is armed; at hardMs it is killed as hung. Peak RSS from /proc; armedMs is the time from armed to exit.
 */
function cli(
  args: string[],
  o: { killAfterMs?: number; armed?: () => boolean; hardMs?: number; onStdout?: (s: string, stop: () => void) => void } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let hung = false;
    let peak = 0;
    let armedAt: number | undefined;
    const stop = () => child.kill('SIGTERM');
    child.stdout.on('data', (d) => {
      stdout += d;
      o.onStdout?.(stdout, stop);
    });
    child.stderr.on('data', (d) => (stderr += d));
    let killTimer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (armedAt !== undefined) return;
      armedAt = Date.now();
      if (o.killAfterMs !== undefined) killTimer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), o.killAfterMs);
    };
    if (!o.armed) arm();
    const poll = setInterval(() => {
      if (o.armed && armedAt === undefined && o.armed()) arm();
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // exited
      }
    }, 20);
    const hard = setTimeout(() => ((hung = true), child.kill('SIGKILL')), o.hardMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(hard);
      if (killTimer) clearTimeout(killTimer);
      const armedMs = armedAt === undefined ? undefined : Date.now() - armedAt;
      resolve({ code, signal, killed: killed && signal === 'SIGKILL', stdout, stderr, peakRssKb: peak, hung, armedMs });
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

/** What a run's exit says went wrong: a hang, a signal, an exit code not in okCodes, or a raw error on stderr. */
function runProblems(r: Run, okCodes: number[]): string[] {
  if (r.hung) return ['hung'];
  if (r.signal || !okCodes.includes(r.code ?? -1) || /\n\s+at |RangeError|TypeError|SQLITE_|ENOENT|EEXIST/.test(r.stderr)) {
    return [`exit ${r.code ?? r.signal} ${r.stderr.split('\n')[0]?.slice(0, 160)}`];
  }
  return [];
}

/** Hostile scan kinds a scan: kinds marked alone get a scan of their own. */
const HOSTILE_SCAN_GROUP = 5;
function groupKinds(kinds: HostileScan[], size: number): HostileScan[][] {
  const groups: HostileScan[][] = kinds.filter((k) => k.alone).map((k) => [k]);
  const rest = kinds.filter((k) => !k.alone);
  for (let i = 0; i < rest.length; i += size) groups.push(rest.slice(i, i + size));
  return groups;
}

const SCAN_CORPUS = [['scans', 'scan-001-0001.png'], ['scans', 'scan-001-0002.png'], ['pages', 'blank-page.png'], ['bad', 'truncated.png']];

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const rand = seededRandom(o.seed);
  const root = mkdtempSync(join(tmpdir(), 'prf-soak-'));
  const rows = Object.fromEntries(KILL_COMMANDS.map((c) => [c, { command: c, kills: 0, runs: 0, halfDone: 0, lost: 0, duplicated: 0, problems: [] as string[] }])) as Record<KillCommand, KillRow>;
  const inputs = { kinds: 0, kindNames: [] as string[], runs: 0, crashes: 0, hangs: 0, peakRssMb: 0, failures: [] as string[] };
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

    // Ready-to-export and already-exported jobs: the bases copied for export and export --reissue kills.
    const exportBase = buildJobFixture({ dir: join(root, 'base-export-job'), records: 6, notReady: 0 });
    exportBase.store.close();
    const exportArgs = (job: string, out: string) => ['export', '--job', job, '--out', out, '--batch-size', '2'];
    const exportedBase = join(root, 'base-exported-job');
    cpSync(exportBase.dir, exportedBase, { recursive: true });
    await cli(exportArgs(exportedBase, `${exportedBase}-out`));

    // The time budget starts after the set-up. Hostile inputs first, bounded by their share of it.
    const deadline = Date.now() + o.seconds * 1000;
    const hostileDeadline = Date.now() + o.seconds * 1000 * (o.hostileShare ?? 0.35);
    const scanKinds = hostileScans().slice(0, o.hostileLimit);
    const csvKinds = hostileCsvs().slice(0, o.hostileLimit);
    const note = (kind: string, r: Run, problems: string[]) => {
      inputs.runs++;
      inputs.peakRssMb = Math.max(inputs.peakRssMb, r.peakRssKb / 1024);
      if (r.hung) inputs.hangs++;
      else if (problems.length) inputs.crashes++;
      inputs.failures.push(...problems.map((p) => `${kind}: ${p}`));
      if (r.peakRssKb / 1024 > 1536) inputs.failures.push(`${kind}: peak RSS ${Math.round(r.peakRssKb / 1024)} MB`);
    };
    // Scan kinds go several to a scan (one engine start-up for a few kinds, as a box of scans holds several bad
    // files); a group that fails is run again kind by kind, so a failure names its kind.
    const scanOne = async (group: HostileScan[]): Promise<boolean> => {
      const dir = fresh('hostile');
      mkdirSync(dir);
      const paths = group.flatMap((k, i) => {
        const sub = join(dir, `k${i}`);
        mkdirSync(sub);
        return k.make(sub, rand);
      });
      const job = fresh('hostile-job');
      const r = await cli(['scan', ...paths, '--job', job, '--workers', '1'], { hardMs: 90_000 + 30_000 * group.length });
      const label = group.map((k) => k.kind).join(' + ');
      const problems = runProblems(r, [0, 1, 3]);
      if (existsSync(join(job, 'job.sqlite'))) problems.push(...checkJob(job, undefined).problems);
      rmDeep(dir);
      rmDeep(job);
      if (problems.length && group.length > 1) {
        inputs.runs++;
        inputs.peakRssMb = Math.max(inputs.peakRssMb, r.peakRssKb / 1024);
        return false;
      }
      note(`scan: ${label}`, r, problems);
      return true;
    };
    const outOfTime = () => o.hostileLimit === undefined && Date.now() > hostileDeadline;
    for (const group of groupKinds(scanKinds, HOSTILE_SCAN_GROUP)) {
      if (outOfTime()) break;
      if (!(await scanOne(group))) for (const k of group) await scanOne([k]);
      inputs.kinds += group.length;
      inputs.kindNames.push(...group.map((k) => `scan: ${k.kind}`));
    }
    for (const k of csvKinds) {
      if (outOfTime()) break;
      inputs.kinds++;
      inputs.kindNames.push(`review apply: ${k.kind}`);
      const job = fresh('apply-job');
      cpSync(base, job, { recursive: true });
      const file = join(root, 'hostile.csv');
      writeCsv(file, k.make(header!, firstRow, rand));
      const r = await cli(['review', 'apply', file, '--job', job, '--reviewer', 'soak.tester', ...today], { hardMs: 90_000 });
      note(`review apply: ${k.kind}`, r, [...runProblems(r, [0, 1, 2, 3]), ...checkJob(job, undefined).problems]);
      rmSync(job, { recursive: true, force: true });
    }
    log(`hostile inputs: ${inputs.kinds} kinds, ${inputs.crashes} crashes, ${inputs.hangs} hangs`);

    // Kills, command by command in a seeded order, until the deadline. Each kill lands at a random moment inside
    // the command's own measured run time (from when it holds the job lock to its exit, measured unkilled on the
    // same input), so no kill is wasted on a run that has already finished or lands before the work starts.
    const trial = (command: KillCommand, rand: () => number): Trial => {
      if (command === 'scan') {
        const job = fresh('scan-job');
        const args = ['scan', scans, '--job', job, '--workers', '1'];
        return { job, expectPages: SCAN_CORPUS.length, run: (k) => cli(args, { ...k, armed: () => lockHeld(job) }), rerun: () => cli(args) };
      }
      if (command === 'export' || command === 'export --reissue') {
        const reissue = command === 'export --reissue';
        const job = fresh('export-job');
        const out = `${job}-out`;
        cpSync(reissue ? exportedBase : exportBase.dir, job, { recursive: true });
        if (reissue) cpSync(`${exportedBase}-out`, out, { recursive: true });
        const which = `batch-000${1 + Math.floor(rand() * 3)}`;
        const args = reissue ? [...exportArgs(job, out), '--reissue', which] : exportArgs(job, out);
        return { job, out, run: (k) => cli(args, { ...k, armed: () => lockHeld(job) }), rerun: () => cli(exportArgs(job, out)) };
      }
      const job = fresh('review-job');
      cpSync(base, job, { recursive: true });
      if (command === 'review server') {
        return { job, run: (k) => reviewServerRun(job, k), rerun: () => cli(['validate', '--job', job, ...today]) };
      }
      const args = command === 'validate' ? ['validate', '--job', job, ...today] : ['review', 'apply', acceptAll, '--job', job, '--reviewer', 'soak.tester', ...today];
      return { job, run: (k) => cli(args, { ...k, armed: () => lockHeld(job) }), rerun: () => cli(args) };
    };
    const cleanUp = (t: Trial) => {
      rmSync(t.job, { recursive: true, force: true });
      if (t.out) rmSync(t.out, { recursive: true, force: true });
    };
    // The first trial of each command runs unkilled: it measures the run time its kills are drawn from.
    const runMs: Partial<Record<KillCommand, number>> = {};
    let total = 0;
    const commands = o.commands?.length ? o.commands : KILL_COMMANDS;
    // Lanes run trials side by side (each its own jobs; for a machine with idle cores); each lane has its own
    // seeded sequence, so a seed and lane count give the same commands and kill moments.
    const lane = async (laneRand: () => number) => {
      while (Date.now() < deadline && (o.maxKills === undefined || total < o.maxKills)) {
        const command = commands[Math.floor(laneRand() * commands.length)]!;
        const row = rows[command];
        const t = trial(command, laneRand);
        const measured = runMs[command];
        const run = await t.run(measured === undefined ? {} : { killAfterMs: Math.round(laneRand() * measured) });
        row.runs++;
        if (!run.killed) {
          // Unkilled (the first of its command, or it finished first): a run, not a kill; its time is measured.
          runMs[command] = Math.max(50, run.armedMs ?? measured ?? 1000);
          if (measured === undefined) log(`${command}: ${runMs[command]} ms from lock to exit`);
          cleanUp(t);
          continue;
        }
        row.kills++;
        total++;
        if (halfDone(t.job, t.out)) row.halfDone++;
        const again = await t.rerun();
        row.runs++;
        if (again.hung || again.signal) row.problems.push(`rerun ${again.hung ? 'hung' : again.signal}`);
        const c = checkJob(t.job, t.out, t.expectPages);
        row.lost += c.lost;
        row.duplicated += c.duplicated;
        row.problems.push(...c.problems);
        if (/SQLITE_|UNIQUE constraint|database is locked|\n\s+at /.test(again.stderr)) row.problems.push(`rerun said: ${again.stderr.split('\n')[0]}`);
        cleanUp(t);
        if (total % 10 === 0) log(`kills: ${total}`);
      }
    };
    const lanes = Math.max(1, o.lanes ?? 1);
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i === 0 ? rand : seededRandom(o.seed * 1000 + i))));
    return { seed: o.seed, seconds: o.seconds, lanes: Math.max(1, o.lanes ?? 1), kills: rows, totalKills: total, inputs: { ...inputs, peakRssMb: Math.round(inputs.peakRssMb) } };
  } finally {
    rmDeep(root);
  }
}

/**
 * The review page, deciding field after field through its API. Armed at the first decision; with killAfterMs it
 * is killed that long after, else it is stopped (SIGTERM) once every field is decided, so armedMs measures the
 * decisions.
 */
async function reviewServerRun(job: string, k: KillOptions): Promise<Run> {
  let started = false;
  return cli(['review', '--job', job, '--reviewer', 'soak.tester', '--today', '2026-12-01'], {
    ...k,
    armed: () => started, // from the first decision request on
    onStdout: (text, stop) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/[^/\s]+\/)/.exec(text);
      if (!m || started) return;
      started = true;
      void decideLoop(m[1]!).then(() => {
        if (k.killAfterMs === undefined) stop();
      });
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
