// The export stage on a real job and real files: only ready records, each once; batches written atomically and
// committed after; reruns export only what is new; a reissue is byte-identical; CSV cells cannot run formulas.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { exportJob } from '../src/export/export.ts';
import { CSV_COLUMNS } from '../src/export/csv.ts';
import { csvCell, neutraliseCell } from '../src/export/csv-cell.ts';
import { JobStore } from '../src/job/store.ts';
import type { Manifest } from '../src/export/manifest.ts';
import { buildJobFixture, type JobFixture } from './helpers/job-fixture.ts';

const stores: JobStore[] = [];
afterEach(() => {
  while (stores.length) stores.pop()!.close();
});

let tick = 0;
const clock = () => new Date(Date.UTC(2023, 7, 1, 10, 0, tick++)).toISOString();

function setup(o: Parameters<typeof buildJobFixture>[0] = {}): JobFixture & { out: string } {
  const f = buildJobFixture(o);
  f.store.close(); // export opens the job itself
  return { ...f, out: join(mkdtempSync(join(tmpdir(), 'prf-out-')), 'out') };
}
function reopen(dir: string): JobStore {
  const s = JobStore.open(dir);
  stores.push(s);
  return s;
}
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const readManifest = (batchDir: string) => JSON.parse(readFileSync(join(batchDir, 'manifest.json'), 'utf8')) as Manifest;

describe('exportJob', () => {
  it('exports only ready records, once, with a manifest that checks out', async () => {
    const f = setup({ records: 5, notReady: 2 });
    const res = await exportJob({ jobDir: f.dir, outDir: f.out, now: clock });
    expect(res.batches.map((b) => [b.id, b.records])).toEqual([['batch-0001', 3]]);
    expect(res.skipped).toEqual([]);
    const dir = join(f.out, 'batch-0001');
    expect(filesUnder(dir)).toEqual([
      ...f.ready.map((s) => `fhir/${s}.json`),
      'manifest.json',
      ...['ClinicalImpression', 'Encounter', 'Location', 'MedicationAdministration', 'Observation', 'Patient', 'Procedure', 'Provenance'].map((t) => `ndjson/${t}.ndjson`),
      'records.csv',
    ].sort());
    for (const file of filesUnder(dir)) expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const m = readManifest(dir);
    expect(m).toMatchObject({ batchId: 'batch-0001', template: { id: 'test-prf', version: 1 }, toolVersion: '0.1.0', counts: { records: 3 } });
    expect(m.records.map((r) => r.formSerial)).toEqual(f.ready);
    expect(m.records[0]!.sourcePages).toHaveLength(2);
    expect(m.records[0]!.sourcePages[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.files.map((x) => x.path).sort()).toEqual(filesUnder(dir).filter((p) => p !== 'manifest.json'));
    for (const file of m.files) expect(sha(join(dir, file.path)), file.path).toBe(file.sha256);
    expect(m.counts.bundleEntriesByType.Encounter).toBe(3);
    expect(m.counts.ndjsonResourcesByType!.Patient).toBe(3);

    const store = reopen(f.dir);
    expect(store.batches.get('batch-0001')!.manifestSha256).toBe(sha(join(dir, 'manifest.json')));
    for (const s of f.ready) expect(store.records.record(s)!.status).toBe('exported');
    for (const s of f.notReady) expect(store.records.record(s)!.status).toBe('needs-review');
    // nothing in the output names a not-ready record
    const all = filesUnder(dir).map((p) => readFileSync(join(dir, p), 'utf8')).join('\n');
    for (const s of f.notReady) expect(all).not.toContain(`"${s}"`);
  });

  it('a rerun exports nothing new; a record made ready later goes into the next batch', async () => {
    const f = setup({ records: 4, notReady: 1 });
    await exportJob({ jobDir: f.dir, outDir: f.out, now: clock });
    const again = await exportJob({ jobDir: f.dir, outDir: f.out, now: clock });
    expect(again.batches).toEqual([]);
    expect(readdirSync(f.out)).toEqual(['batch-0001']);

    const store = reopen(f.dir);
    store.records.setRecordStatus(f.notReady[0]!, 'ready', []);
    store.close();
    const third = await exportJob({ jobDir: f.dir, outDir: f.out, now: clock, formats: ['csv'] });
    expect(third.batches.map((b) => [b.id, b.records])).toEqual([['batch-0002', 1]]);
    expect(filesUnder(join(f.out, 'batch-0002'))).toEqual(['manifest.json', 'records.csv']);
    const s2 = reopen(f.dir);
    const members = s2.batches.all().flatMap((b) => s2.batches.batchRecords(b.id));
    expect(members.sort()).toEqual([...f.ready, ...f.notReady].sort());
  });

  it('splits into batches of --batch-size with deterministic ids', async () => {
    const f = setup({ records: 5, notReady: 0 });
    const res = await exportJob({ jobDir: f.dir, outDir: f.out, batchSize: 2, now: clock, formats: ['fhir'] });
    expect(res.batches.map((b) => [b.id, b.records])).toEqual([
      ['batch-0001', 2],
      ['batch-0002', 2],
      ['batch-0003', 1],
    ]);
    expect(res.exportedRecords).toBe(5);
  });

  it('--reissue rewrites a batch byte for byte, even after the folder was lost', async () => {
    const f = setup({ records: 3, notReady: 0, reviewed: [1] });
    await exportJob({ jobDir: f.dir, outDir: f.out, now: clock });
    const dir = join(f.out, 'batch-0001');
    const before = new Map(filesUnder(dir).map((p) => [p, readFileSync(join(dir, p))]));
    rmSync(dir, { recursive: true });
    const res = await exportJob({ jobDir: f.dir, outDir: f.out, reissue: 'batch-0001', now: () => '2099-01-01T00:00:00.000Z' });
    expect(res.reissueIdentical).toBe(true);
    const after = filesUnder(dir);
    expect(after).toEqual([...before.keys()]);
    for (const p of after) expect(readFileSync(join(dir, p)).equals(before.get(p)!), p).toBe(true);
    // reissuing over an existing copy replaces it, leaves no .old behind
    await exportJob({ jobDir: f.dir, outDir: f.out, reissue: 'batch-0001' });
    expect(readdirSync(f.out)).toEqual(['batch-0001']);
    await expect(exportJob({ jobDir: f.dir, outDir: f.out, reissue: 'batch-0009' })).rejects.toThrow(/no batch/);
  });

  it('cleans up what an interrupted export left, and never touches another job’s batch', async () => {
    const f = setup({ records: 2, notReady: 0 });
    mkdirSync(join(f.out, 'batch-0001.partial', 'fhir'), { recursive: true });
    writeFileSync(join(f.out, 'batch-0001.partial', 'fhir', 'x.json'), '{');
    writeFileSync(join(f.out, '.tmp-manifest.json.123.abcd'), 'x');
    // a batch folder renamed into place whose commit never happened (same job id in its manifest)
    const jobId = (() => {
      const s = reopen(f.dir);
      const id = s.getMeta('job_id')!;
      s.close();
      return id;
    })();
    mkdirSync(join(f.out, 'batch-0001'));
    writeFileSync(join(f.out, 'batch-0001', 'manifest.json'), JSON.stringify({ jobId }));
    // another job's folder with a later id
    mkdirSync(join(f.out, 'batch-0002'));
    writeFileSync(join(f.out, 'batch-0002', 'manifest.json'), JSON.stringify({ jobId: 'someone-else' }));

    const res = await exportJob({ jobDir: f.dir, outDir: f.out, now: clock, batchSize: 1 }).catch((e) => e);
    // batch-0002 belongs to someone else: the export stops rather than overwrite it
    expect(res).toBeInstanceOf(Error);
    expect(String(res.message)).toMatch(/batch-0002 already exists/);
    expect(existsSync(join(f.out, 'batch-0002', 'manifest.json'))).toBe(true);
    expect(readdirSync(f.out).sort()).toEqual(['batch-0001', 'batch-0002']);
    expect(readManifest(join(f.out, 'batch-0001')).records).toHaveLength(1);
    const s = reopen(f.dir);
    expect(s.batches.readyUnexported()).toHaveLength(1);
  });

  it('CSV: one row per record in the documented layout; formula-like text is neutralised', async () => {
    const f = setup({ records: 3, notReady: 0 });
    await exportJob({ jobDir: f.dir, outDir: f.out, now: clock, formats: ['csv'] });
    const text = readFileSync(join(f.out, 'batch-0001', 'records.csv'), 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => r.formSerial)).toEqual(f.ready);
    const r2 = rows.find((r) => r.formSerial === '100002')!;
    expect(r2['clinical.presentingComplaint']).toBe("'=1+2");
    expect(r2.notes).toBe("'@SUM(A1:A9)");
    expect(r2['patient.nhsNumber']).toMatch(/^999\d{7}$/);
    expect(r2['observations[0].pulse']).toBe('104');
    expect(r2['observations[1].time']).toBe('00:25');
    expect(r2.interventions).toBe('ecg-12-lead;cannulation');
    expect(r2['patient.address']).toBe('2 Example Street, Testtown');
    // the documented layout lists every column, in order
    const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'csv-export.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| *\d+ *\| *`([^`]+)`/gm)].map((m) => m[1]);
    expect(documented).toEqual([...CSV_COLUMNS]);
  });
});

describe('csv cells', () => {
  it('neutralises cells a spreadsheet would run as formulas, and quotes properly', () => {
    for (const bad of ['=1+2', '+1', '-1+1', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseCell(bad)).toBe(`'${bad}`);
    for (const ok of ['1+2', 'Smith', '', "'already"]) expect(neutraliseCell(ok)).toBe(ok);
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell(-5)).toBe('-5'); // a number stays a number
    expect(csvCell(true)).toBe('true');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('crash safety', () => {
  it('a SIGKILL mid-export leaves no half batch; the rerun puts every ready record in exactly one batch', async () => {
    const f = setup({ records: 8, notReady: 0 });
    const child = join(mkdtempSync(join(tmpdir(), 'prf-child-')), 'export-child.mts');
    const src = (p: string) => new URL(`../src/${p}`, import.meta.url).href;
    writeFileSync(
      child,
      `import { exportJob } from ${JSON.stringify(src('export/export.ts'))};
       await exportJob({ jobDir: ${JSON.stringify(f.dir)}, outDir: ${JSON.stringify(f.out)}, batchSize: 1,
         onBatch: (b) => process.stdout.write(b.id + '\\n') });
       process.stdout.write('done\\n');`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve) => {
      proc.stdout.on('data', (d) => {
        out += d;
        // kill as soon as the second batch is committed: the third is then being written
        if (out.split('\n').filter(Boolean).length >= 2) proc.kill('SIGKILL');
      });
      proc.on('exit', () => resolve());
    });
    expect(err).toBe('');
    expect(out).not.toContain('done');

    const res = await exportJob({ jobDir: f.dir, outDir: f.out, batchSize: 1, now: clock });
    const s = reopen(f.dir);
    const batches = s.batches.all();
    const members = batches.flatMap((b) => s.batches.batchRecords(b.id));
    expect(members.sort()).toEqual([...f.ready].sort()); // every ready record, each exactly once
    expect(readdirSync(f.out).sort()).toEqual(batches.map((b) => b.id).sort()); // no .partial, no temp files
    for (const b of batches) {
      const dir = join(f.out, b.id);
      expect(sha(join(dir, 'manifest.json'))).toBe(b.manifestSha256);
      for (const file of readManifest(dir).files) expect(sha(join(dir, file.path))).toBe(file.sha256);
    }
    expect(res.exportedRecords + 2).toBeLessThanOrEqual(8);
    expect(s.statusCounts().reconciles).toBe(true);
    expect(s.integrityCheck().ok).toBe(true);
  });
});

describe('one export at a time', () => {
  it('refuses while another live process holds the job, takes over a dead one’s lock', async () => {
    const f = setup({ records: 1, notReady: 0 });
    const s = reopen(f.dir);
    const holder = (pid: number) => JSON.stringify({ pid, host: hostname(), command: 'export', since: '2023-08-01T10:00:00Z' });
    s.setMeta('job_lock', holder(process.ppid)); // a live process that is not us
    s.close();
    await expect(exportJob({ jobDir: f.dir, outDir: f.out })).rejects.toThrow(/export \(process \d+, since/);
    const s2 = reopen(f.dir);
    s2.setMeta('job_lock', holder(2147483646)); // no such process
    s2.close();
    const res = await exportJob({ jobDir: f.dir, outDir: f.out, now: clock });
    expect(res.exportedRecords).toBe(1);
    const s3 = reopen(f.dir);
    expect(s3.getMeta('job_lock')).toBeUndefined();
  });
});
