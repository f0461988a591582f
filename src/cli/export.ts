import type { Command } from 'commander';
import type { AttachScans } from '../export/export.ts';
import { EXIT, UsageError } from './errors.ts';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'Write ready forms as import batches (FHIR R4 transaction Bundles, NDJSON per resource type, CSV) with a manifest.\n' +
        'Each form is exported once; a rerun exports only what became ready since. Exit 0 when nothing is left waiting, 3 otherwise.',
    )
    .requiredOption('--job <dir>', 'job folder')
    .requiredOption('--out <dir>', 'folder for the batches')
    .option('--format <list>', 'comma-separated: fhir, ndjson, csv', 'fhir,ndjson,csv')
    .option('--batch-size <n>', 'forms per batch (default: 500)')
    .option('--reissue <batch>', 'rewrite a batch already exported, byte for byte')
    .option('--trust-ods <code>', 'ODS code of the ambulance trust, for Encounter.serviceProvider')
    .option('--attach-scans <how>', 'pdf: attach each form\'s scanned pages as one PDF (DocumentReference); none: values only', 'pdf')
    .option('--json', 'print a machine-readable summary')
    .addHelpText('after', '\nExamples:\n  $ prf-backload export --job jobs/july-outage --out batches/\n  $ prf-backload export --job jobs/july-outage --out batches/ --reissue batch-0001\n')
    .action(async (opts: { job: string; out: string; format: string; batchSize?: string; reissue?: string; trustOds?: string; attachScans: string; json?: boolean }) => {
      const { exportJob, parseFormatList, DEFAULT_BATCH_SIZE, ATTACH_SCANS } = await import('../export/export.ts');
      const { JobStore } = await import('../job/store.ts');
      if (!(ATTACH_SCANS as readonly string[]).includes(opts.attachScans)) throw new UsageError(`--attach-scans ${opts.attachScans}: give ${ATTACH_SCANS.join(' or ')}`);
      // The default is applied here so --help does not load the exporter.
      opts.batchSize ??= String(DEFAULT_BATCH_SIZE);
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new UsageError(`--batch-size ${opts.batchSize}: give a whole number from 1 to 100000`);
      let formats;
      try {
        formats = parseFormatList(opts.format);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const { withJobLock } = await import('../job/job-lock.ts');
      const result = await withJobLock(opts.job, opts.reissue ? 'export --reissue' : 'export', () =>
        exportJob({
          jobDir: opts.job,
          outDir: opts.out,
          formats,
          batchSize,
          ...(opts.reissue ? { reissue: opts.reissue } : {}),
          ...(opts.trustOds ? { trustOds: opts.trustOds } : {}),
          attachScans: opts.attachScans as AttachScans,
        }),
      );
      const store = JobStore.open(opts.job);
      const waiting = store.statusCounts().records;
      store.close();
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...result, waiting }, null, 2) + '\n');
      } else {
        const lines = [
          opts.reissue
            ? `Reissued ${opts.reissue}: ${result.reissueIdentical ? 'identical to the original, byte for byte' : 'DIFFERS from the original manifest'}.`
            : `Exported ${result.exportedRecords} form(s) in ${result.batches.length} new batch(es).`,
          ...result.batches.map((b) => `  ${b.id}: ${b.records} form(s) -> ${b.dir}`),
          ...(result.restored?.length ? [`Put back ${result.restored.join(', ')}: an interrupted reissue had moved it aside.`] : []),
          ...(result.cleaned.length ? [`Removed ${result.cleaned.length} leftover(s) of an interrupted export.`] : []),
          // Serials and reason codes only: the re-check's messages could quote what was read.
          ...result.skipped.map((s) => `  NOT exported: form ${s.formSerial} failed the export re-check (${s.reasons.join(', ')}); fix it in the job, then export again.`),
          ...result.scansNotAttached.map((s) => `  Exported WITHOUT its scan: form ${s.formSerial} (${s.code}).`),
          `Still waiting: ${waiting['needs-review']} need review, ${waiting.blocked} blocked, ${waiting.incomplete} missing a page` +
            (waiting['needs-review'] ? ` (prf-backload review --job ${opts.job} --reviewer YOUR-ID)` : '') +
            '.',
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }
      const left = waiting['needs-review'] + waiting.blocked + waiting.incomplete + waiting.ready;
      process.exitCode = opts.reissue ? (result.reissueIdentical ? EXIT.ok : EXIT.failed) : left > 0 || result.skipped.length ? EXIT.attention : EXIT.ok;
    });
}
