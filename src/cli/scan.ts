import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { EXIT, UsageError } from './errors.ts';
import { progressBar } from './progress.ts';
import { checkScanInputs } from './paths.ts';

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'Read scanned forms (PNG, JPEG, TIFF, PDF; folders walked) into a job: identify, align and read every page.\n' +
        'Exit codes: 0 all pages read, 3 some pages quarantined (see status), 1 the run failed.',
    )
    .argument('<inputs...>', 'scan files or folders')
    .requiredOption('--job <dir>', 'job folder (created if new; a rerun skips files already read)')
    .option('--template <name|file>', 'built-in template name or a template JSON file', 'standard-prf')
    .option('--workers <n>', 'page workers, each with its own box classifier, sharing one OCR engine (default: the number of cores)')
    .option('--model-dir <dir>', 'folder of the box classifier model (default: the committed models/)')
    .option('--json', 'print a machine-readable summary')
    .addHelpText('after', '\nExample:\n  $ prf-backload scan scans/box-01 scans/box-02 --job jobs/july-outage --workers 2\n')
    .action(async (inputs: string[], opts: { job: string; template: string; workers?: string; modelDir?: string; json?: boolean }) => {
      const { scanJob } = await import('../job/scan.ts');
      const { loadTemplate } = await import('../template/load.ts');
      const workers = opts.workers === undefined ? availableParallelism() : Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers ${opts.workers}: give a whole number from 1 to 64`);
      const template = loadTemplate(opts.template);
      await checkScanInputs(inputs);
      const bar = opts.json ? { update: () => undefined, done: () => undefined } : progressBar();
      // scanJob proves the box model before it makes the job, then scans under the job's lock.
      const summary = await scanJob({ inputs, jobDir: opts.job, template, workers, onProgress: bar.update, ...(opts.modelDir ? { modelDir: opts.modelDir } : {}) });
      bar.done();
      if (opts.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      } else {
        const q = Object.entries(summary.quarantinedByReason).map(([k, v]) => `${k} ${v}`).join(', ');
        process.stdout.write(
          [
            `Scanned ${summary.sourcesSeen} file(s): ${summary.sourcesRead} read, ${summary.sourcesSkipped} already in the job, ${summary.sourcesFailed} unreadable.`,
            `Pages: ${summary.pagesRead} read, ${summary.pagesQuarantined} quarantined${q ? ` (${q})` : ''}.`,
            `Forms in the job: ${summary.records} (${summary.recordsIncomplete} missing a page).`,
            `${summary.pagesPerMinute.toFixed(1)} pages a minute over ${summary.seconds.toFixed(1)} s with ${workers} page worker(s); comb boxes read by box model ${summary.modelVersion}.`,
            `Next: prf-backload validate --job ${opts.job}`,
          ].join('\n') + '\n',
        );
      }
      process.exitCode = summary.pagesQuarantined > 0 || summary.sourcesFailed > 0 ? EXIT.attention : EXIT.ok;
    });
}
