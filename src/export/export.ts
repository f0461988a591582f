// The export stage: records with status 'ready' become import batches, each record in exactly one batch.
// A batch is written as OUT/<id>.partial (every file temp-named, fsynced, renamed), renamed to OUT/<id>, and only
// then committed in the job store (records marked exported in the same transaction that records the batch).
// A crash therefore leaves either no trace of the batch (its records are still 'ready') or a folder the job store
// does not know, which the next run recognises by the job id in its manifest and rebuilds.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PrfRecord } from '../record/schema.ts';
import { JobStore } from '../job/store.ts';
import { acquireJobLock } from '../job/job-lock.ts';
import { ensurePrivateDir, fsyncDir, renameDirDurable, TEMP_PREFIX, writePrivateFileAtomic } from '../job/fs-safe.ts';
import { recordToBundle, type ScanAttachment, type TransactionBundle } from './fhir.ts';
import { recheckForExport } from './recheck.ts';
import { buildScanPdf, isScanProblem, recordScanSources, type ScanProblem } from './scan-pdf.ts';
import { bundlesToNdjson } from './ndjson.ts';
import { recordsToCsv } from './csv.ts';
import { describeFile, manifestText, sha256Hex, type Manifest, type ManifestFile } from './manifest.ts';

export const EXPORT_FORMATS = ['fhir', 'ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const DEFAULT_BATCH_SIZE = 500;
export const TOOL_VERSION = '0.1.0';
export const ATTACH_SCANS = ['pdf', 'none'] as const;
export type AttachScans = (typeof ATTACH_SCANS)[number];

export interface ExportOptions {
  jobDir: string;
  outDir: string;
  formats?: ExportFormat[];
  batchSize?: number;
  /** Rewrite this committed batch from the job store, byte for byte. */
  reissue?: string;
  /** ODS code of the ambulance trust (Encounter.serviceProvider). */
  trustOds?: string;
  /** Attach each form's scanned pages as a PDF DocumentReference (default) or not. */
  attachScans?: AttachScans;
  toolVersion?: string;
  now?: () => string;
  /** Called after each batch is committed (ids and counts only). */
  onBatch?: (b: ExportedBatch) => void;
}

export interface ExportedBatch {
  id: string;
  dir: string;
  records: number;
  manifestSha256: string;
}

export interface SkippedRecord {
  formSerial: string;
  /** Reason codes of the export re-check (e.g. schema-invalid, nhs-check-digit): a 'ready' record should never get here. */
  reasons: string[];
  /** Record paths the reasons name. */
  problems: string[];
}

/** A record exported without its scan attached, and why (the scan file is gone, changed, or unreadable). */
export interface ScanNotAttached extends ScanProblem {
  formSerial: string;
}

export interface ExportResult {
  batches: ExportedBatch[];
  exportedRecords: number;
  skipped: SkippedRecord[];
  /** Records exported without their scan PDF, with the reason. */
  scansNotAttached: ScanNotAttached[];
  /** Leftovers of an interrupted export that were removed. */
  cleaned: string[];
  /** Committed batch folders an interrupted reissue had moved aside (`<id>.old`), put back in place. */
  restored?: string[];
  /** For --reissue: whether the rewritten manifest has the sha256 stored when the batch was committed. */
  reissueIdentical?: boolean;
}

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

interface BatchSettings {
  toolVersion: string;
  trustOds?: string;
  /** Absent in batches made before scans were attached: those are reissued without them. */
  attachScans?: AttachScans;
}

export async function exportJob(opts: ExportOptions): Promise<ExportResult> {
  const outDir = resolve(opts.outDir);
  const store = JobStore.open(opts.jobDir);
  let release: (() => void) | undefined;
  try {
    // One writer at a time per job: two exports would pick the same batch number.
    release = acquireJobLock(store, opts.reissue ? 'export --reissue' : 'export');
    ensurePrivateDir(outDir);
    const jobId = store.getMeta('job_id') ?? '';
    const { cleaned, restored } = cleanInterrupted(outDir, store, jobId);
    if (opts.reissue) return { ...(await reissue(store, outDir, opts.reissue, jobId, cleaned)), restored };

    const formats = normaliseFormats(opts.formats);
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ExportError('batch size must be a whole number of at least 1');
    const attachScans = opts.attachScans ?? 'pdf';
    if (!ATTACH_SCANS.includes(attachScans)) throw new ExportError(`--attach-scans ${attachScans}: use ${ATTACH_SCANS.join(' or ')}`);
    const settings: BatchSettings = { toolVersion: opts.toolVersion ?? TOOL_VERSION, ...(opts.trustOds ? { trustOds: opts.trustOds } : {}), attachScans };
    const now = opts.now ?? (() => new Date().toISOString());

    const skipped: SkippedRecord[] = [];
    const exportable: PrfRecord[] = [];
    for (const serial of store.batches.readyUnexported()) {
      const checked = recheckForExport(store.records.recordObject(serial, { statuses: ['accepted', 'verified'] }));
      if (checked.ok) exportable.push(checked.record);
      else skipped.push({ formSerial: serial, reasons: checked.reasons, problems: checked.paths });
    }

    const batches: ExportedBatch[] = [];
    const scansNotAttached: ScanNotAttached[] = [];
    for (let i = 0; i < exportable.length; i += batchSize) {
      const records = exportable.slice(i, i + batchSize);
      const seq = store.batches.nextBatchSeq();
      const id = batchIdOf(seq);
      const createdAt = now();
      const { files, manifest, scanProblems } = await buildBatch(store, { id, jobId, createdAt, formats, settings, records });
      scansNotAttached.push(...scanProblems);
      const dir = join(outDir, id);
      if (existsSync(dir)) throw new ExportError(`${dir} already exists and is not a batch of this job`);
      writeBatchDir(outDir, id, files, manifest);
      const manifestSha256 = sha256Hex(manifest);
      store.batches.commitBatch(id, records.map((r) => r.formSerial), { seq, createdAt, formats, outDir: dir, manifestSha256, settings: { ...settings } });
      const b = { id, dir, records: records.length, manifestSha256 };
      batches.push(b);
      opts.onBatch?.(b);
    }
    return { batches, exportedRecords: batches.reduce((n, b) => n + b.records, 0), skipped, scansNotAttached, cleaned, restored };
  } finally {
    release?.();
    store.close();
  }
}

/** "fhir,csv" → formats, for the CLI. */
export function parseFormatList(list: string): ExportFormat[] {
  return normaliseFormats(list.split(',').map((s) => s.trim()).filter(Boolean) as ExportFormat[]);
}

export function batchIdOf(seq: number): string {
  return `batch-${String(seq).padStart(4, '0')}`;
}

function normaliseFormats(fs: ExportFormat[] | undefined): ExportFormat[] {
  const list = fs && fs.length ? fs : [...EXPORT_FORMATS];
  for (const f of list) if (!EXPORT_FORMATS.includes(f)) throw new ExportError(`unknown format ${f}: use ${EXPORT_FORMATS.join(', ')}`);
  return EXPORT_FORMATS.filter((f) => list.includes(f)); // fixed order, no repeats
}

/** Every file of a batch (path inside the batch folder → bytes) and its manifest text. */
async function buildBatch(
  store: JobStore,
  b: { id: string; jobId: string; createdAt: string; formats: ExportFormat[]; settings: BatchSettings; records: PrfRecord[] },
): Promise<{ files: Map<string, string | Uint8Array>; manifest: string; scanProblems: ScanNotAttached[] }> {
  const templateId = store.getMeta('template_id') ?? 'unknown';
  const templateVersion = Number(store.getMeta('template_version') ?? 0);
  const sourcePages = new Map(b.records.map((r) => [r.formSerial, store.pages.recordSourcePages(r.formSerial)]));
  const files = new Map<string, string | Uint8Array>();
  const scans = new Map<string, ScanAttachment>();
  const scanProblems: ScanNotAttached[] = [];
  if (b.settings.attachScans === 'pdf') {
    for (const r of b.records) {
      const built = await buildScanPdf(r.formSerial, recordScanSources(store.db, r.formSerial), b.createdAt);
      if (isScanProblem(built)) {
        scanProblems.push({ formSerial: r.formSerial, ...built });
        continue;
      }
      const path = `scans/${r.formSerial}.pdf`;
      scans.set(r.formSerial, { pdf: built.pdf, sha256: built.sha256, pages: built.pages, path });
      files.set(path, built.pdf);
    }
  }
  const bundles: TransactionBundle[] = b.records.map((r) =>
    recordToBundle(r, {
      recordedAt: b.createdAt,
      reviewers: store.records.recordReviewers(r.formSerial),
      sourcePages: sourcePages.get(r.formSerial),
      toolVersion: b.settings.toolVersion,
      templateId,
      templateVersion,
      trustOds: b.settings.trustOds,
      scan: scans.get(r.formSerial),
    }),
  );
  if (b.formats.includes('fhir')) {
    bundles.forEach((bundle, i) => files.set(`fhir/${b.records[i]!.formSerial}.json`, JSON.stringify(bundle, null, 2) + '\n'));
  }
  let ndjsonCounts: Record<string, number> | undefined;
  if (b.formats.includes('ndjson')) {
    ndjsonCounts = {};
    for (const [type, text] of bundlesToNdjson(bundles)) {
      files.set(`ndjson/${type}.ndjson`, text);
      ndjsonCounts[type] = text.split('\n').length - 1;
    }
  }
  if (b.formats.includes('csv')) files.set('records.csv', recordsToCsv(b.records));

  const bundleEntriesByType: Record<string, number> = {};
  for (const bundle of bundles) for (const e of bundle.entry) bundleEntriesByType[e.resource.resourceType] = (bundleEntriesByType[e.resource.resourceType] ?? 0) + 1;
  const manifest: Manifest = {
    manifestVersion: 1,
    batchId: b.id,
    jobId: b.jobId,
    createdAt: b.createdAt,
    template: { id: templateId, version: templateVersion },
    toolVersion: b.settings.toolVersion,
    formats: b.formats,
    counts: {
      records: b.records.length,
      bundleEntriesByType: sortKeys(bundleEntriesByType),
      ...(ndjsonCounts ? { ndjsonResourcesByType: ndjsonCounts } : {}),
    },
    records: b.records.map((r) => {
      const scan = scans.get(r.formSerial);
      const problem = scanProblems.find((p) => p.formSerial === r.formSerial);
      return {
        formSerial: r.formSerial,
        sourcePages: sourcePages.get(r.formSerial)!,
        ...(scan ? { scanPdf: { path: scan.path, sha256: scan.sha256, bytes: scan.pdf.length, pages: scan.pages } } : {}),
        ...(problem ? { scanNotAttached: problem.code } : {}),
      };
    }),
    files: [...files].map(([path, data]): ManifestFile => describeFile(path, data)),
  };
  return { files, manifest: manifestText(manifest), scanProblems };
}

/** Write OUT/<id>.partial with every file, then rename it to OUT/<id>. */
function writeBatchDir(outDir: string, id: string, files: Map<string, string | Uint8Array>, manifest: string): void {
  renameDirDurable(writePartialBatch(outDir, id, files, manifest), join(outDir, id));
}

/** Write OUT/<id>.partial with every file and the manifest, each durable; returns its path. */
function writePartialBatch(outDir: string, id: string, files: Map<string, string | Uint8Array>, manifest: string): string {
  const partial = join(outDir, `${id}.partial`);
  rmSync(partial, { recursive: true, force: true });
  ensurePrivateDir(partial);
  const subdirs = new Set<string>();
  for (const [path, data] of files) {
    const parts = path.split('/');
    if (parts.length > 1) {
      const sub = join(partial, ...parts.slice(0, -1));
      if (!subdirs.has(sub)) ensurePrivateDir(sub);
      subdirs.add(sub);
    }
    writePrivateFileAtomic(join(partial, ...parts), data);
  }
  writePrivateFileAtomic(join(partial, 'manifest.json'), manifest);
  for (const sub of subdirs) fsyncDir(sub);
  return partial;
}

/**
 * Tidy what an interrupted export left: `<id>.partial` folders and temp files are removed, as are batch folders of
 * THIS job (by the job id in their manifest) that the job store never committed. A `<id>.old` folder is the only
 * copy of a committed batch when a reissue was killed between moving it aside and putting the new copy in place:
 * it is put back, and removed only when a complete `<id>` stands beside it. Another job's folders are left alone.
 */
function cleanInterrupted(outDir: string, store: JobStore, jobId: string): { cleaned: string[]; restored: string[] } {
  const cleaned: string[] = [];
  const restored: string[] = [];
  const names = readdirSync(outDir);
  for (const name of names) {
    const old = /^(batch-\d{4,})\.old$/.exec(name);
    if (!old) continue;
    const id = old[1]!;
    if (store.batches.get(id) && !existsSync(join(outDir, id))) {
      renameDirDurable(join(outDir, name), join(outDir, id));
      restored.push(id);
    }
  }
  for (const name of readdirSync(outDir)) {
    const path = join(outDir, name);
    if (/^batch-\d{4,}\.(partial|old)$/.test(name) || name.startsWith(TEMP_PREFIX)) {
      rmSync(path, { recursive: true, force: true });
      cleaned.push(name);
    } else if (/^batch-\d{4,}$/.test(name) && !store.batches.get(name) && manifestJobId(path) === jobId) {
      rmSync(path, { recursive: true, force: true });
      cleaned.push(name);
    }
  }
  if (cleaned.length || restored.length) fsyncDir(outDir);
  return { cleaned: cleaned.sort(), restored: restored.sort() };
}

function manifestJobId(batchDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(batchDir, 'manifest.json'), 'utf8')) as Manifest).jobId;
  } catch {
    return undefined;
  }
}

/** Rebuild a committed batch from the job store, with its stored time, formats and settings. */
async function reissue(store: JobStore, outDir: string, id: string, jobId: string, cleaned: string[]): Promise<ExportResult> {
  const batch = store.batches.get(id);
  if (!batch) throw new ExportError(`no batch ${id} in this job`);
  const records = store.batches.batchRecords(id).map((serial) => PrfRecord.parse(store.records.recordObject(serial, { statuses: ['accepted', 'verified'] })));
  const settings = { toolVersion: TOOL_VERSION, ...(batch.settings as Partial<BatchSettings>) } as BatchSettings;
  const { files, manifest, scanProblems } = await buildBatch(store, {
    id,
    jobId,
    createdAt: batch.createdAt,
    formats: batch.formats as ExportFormat[],
    settings,
    records,
  });
  const dir = join(outDir, id);
  const old = join(outDir, `${id}.old`);
  // Write the new copy in full first, then swap: move the old copy aside, put the new one in place, drop the old.
  // A kill between the two renames leaves only <id>.old, which the next run puts back (cleanInterrupted).
  const partial = writePartialBatch(outDir, id, files, manifest);
  if (existsSync(dir)) renameDirDurable(dir, old);
  renameDirDurable(partial, dir);
  rmSync(old, { recursive: true, force: true });
  const manifestSha256 = sha256Hex(manifest);
  return {
    batches: [{ id, dir, records: records.length, manifestSha256 }],
    exportedRecords: 0,
    skipped: [],
    scansNotAttached: scanProblems,
    cleaned,
    reissueIdentical: manifestSha256 === batch.manifestSha256,
  };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}
