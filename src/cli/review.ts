import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT, UsageError } from './errors.ts';

const DOUBLE_KEY_HELP = 'record paths keyed twice by different people, comma-separated, or "none" (default: patient.nhsNumber,patient.dateOfBirth)';

function checkReviewer(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(id)) throw new UsageError(`--reviewer ${id}: use letters, digits and . _ @ - (your staff id)`);
  if (['ocr', 'validate', 'export'].includes(id)) throw new UsageError(`--reviewer ${id}: that name is kept for the machine's own stages`);
  return id;
}

// The review modules are loaded when a review command runs, so --help does not pay for them.
async function openContext(job: string, doubleKey: string | undefined, today: string | undefined) {
  const { JobStore } = await import('../job/store.ts');
  const { reviewContext, ReviewOptionError } = await import('../review/context.ts');
  const { parseDoubleKeyOption } = await import('../review/double-key.ts');
  const store = JobStore.open(job);
  try {
    return reviewContext(store, { doubleKeyPaths: parseDoubleKeyOption(doubleKey), today });
  } catch (e) {
    store.close();
    if (e instanceof ReviewOptionError) throw new UsageError(`--double-key: ${e.message}`);
    throw e;
  }
}

export function registerReviewCommand(program: Command): void {
  const review = program
    .command('review')
    .description(
      'Verify what the machine could not prove: a web page on this computer only (127.0.0.1), keyboard first.\n' +
        'review --job DIR --reviewer ID starts the page (the start subcommand is the default);\n' +
        'export and apply do the same offline, through a corrections CSV.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ prf-backload review --job jobs/july-outage --reviewer dm.jones\n' +
        '  $ prf-backload review export --job jobs/july-outage --out corrections.csv\n' +
        '  $ prf-backload review apply corrections.csv --job jobs/july-outage --reviewer dm.jones\n',
    );

  review
    // The default subcommand, so "review --job ..." starts the page and "review export --job ..." is not confused by it.
    .command('start', { isDefault: true })
    .description(
      'Start the review page on 127.0.0.1 and print its private address (it holds a random token); stop with Ctrl+C.\n' +
        'Several reviewers can work on one job at once, each with their own page: they never get the same field.',
    )
    .requiredOption('--job <dir>', 'job folder')
    .requiredOption('--reviewer <id>', 'your reviewer id (staff id); recorded with every decision')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--double-key <paths>', DOUBLE_KEY_HELP)
    .option('--today <yyyy-mm-dd>', 'date to check birth dates against (default: today)')
    .addHelpText('after', '\nExample:\n  $ prf-backload review --job jobs/july-outage --reviewer dm.jones --port 8765\n')
    .action(async (opts: { job: string; reviewer: string; port?: string; doubleKey?: string; today?: string }) => {
      const reviewer = checkReviewer(opts.reviewer);
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${opts.port}: give a port number from 1 to 65535`);
      const { startReviewServer } = await import('../review/server.ts');
      const { progress } = await import('../review/queue.ts');
      const ctx = await openContext(opts.job, opts.doubleKey, opts.today);
      const srv = await startReviewServer({ ctx, reviewer, port, log: () => undefined });
      const p = progress(ctx, reviewer);
      process.stdout.write(
        [
          `Review page for ${reviewer}: ${p.fieldsLeft} field(s) on ${p.formsLeft} form(s) need a person (${p.forYou} for you).`,
          `Open this address in your browser (it is private to you; do not share it):`,
          `  ${srv.url}`,
          `Press Ctrl+C to stop.`,
        ].join('\n') + '\n',
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void srv.close().then(() => {
            const since = progress(ctx, reviewer);
            process.stdout.write(`Stopped. ${since.fieldsLeft} field(s) on ${since.formsLeft} form(s) still need a person.\n`);
            ctx.store.close();
            done();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  review
    .command('export')
    .description('Write the review queue to a CSV (mode 0600) to fill in offline: ids, field, guess, reason, crop path, version.')
    .requiredOption('--job <dir>', 'job folder')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--crops <dir>', 'folder for each row\'s crop, cut from the page images (default: beside the CSV, FILE-crops)')
    .option('--no-crops', 'write no crops (the crop_path column stays empty)')
    .option('--double-key <paths>', DOUBLE_KEY_HELP)
    .addHelpText(
      'after',
      '\nFill in the decision column (accept, correct, blank, illegible) and, for correct, the value column.\n' +
        'Example:\n  $ prf-backload review export --job jobs/july-outage --out corrections.csv\n',
    )
    .action(async (opts: { job: string; out: string; crops: string | boolean; doubleKey?: string }) => {
      const { exportCorrections, defaultCropsDir } = await import('../review/corrections.ts');
      const ctx = await openContext(opts.job, opts.doubleKey, undefined);
      try {
        const cropsDir = opts.crops === false ? null : typeof opts.crops === 'string' ? opts.crops : defaultCropsDir(opts.out);
        const s = await exportCorrections(ctx, opts.out, { cropsDir });
        process.stdout.write(`Wrote ${s.rows} field(s) from ${s.forms} form(s) to ${s.file}` + (s.cropsDir ? `, and ${s.crops} crop(s) to ${s.cropsDir}.\n` : '.\n'));
      } finally {
        ctx.store.close();
      }
    });

  review
    .command('apply')
    .description(
      'Apply a filled-in corrections CSV. Every row is checked; problems are listed by line. The rows that pass are\n' +
        'applied together in one transaction, with the audit, and their forms checked again. Exit 3 when some rows had problems.',
    )
    .argument('<csv>', 'the corrections CSV')
    .requiredOption('--job <dir>', 'job folder')
    .requiredOption('--reviewer <id>', 'your reviewer id (staff id); recorded with every decision')
    .option('--double-key <paths>', DOUBLE_KEY_HELP)
    .option('--today <yyyy-mm-dd>', 'date to check birth dates against (default: today)')
    .option('--json', 'print a machine-readable report')
    .addHelpText('after', '\nExample:\n  $ prf-backload review apply corrections.csv --job jobs/july-outage --reviewer dm.jones\n')
    .action(async (csv: string, opts: { job: string; reviewer: string; doubleKey?: string; today?: string; json?: boolean }) => {
      const { applyCorrections, formatApplyReport } = await import('../review/corrections.ts');
      const { withJobLock } = await import('../job/job-lock.ts');
      const reviewer = checkReviewer(opts.reviewer);
      let buf: Buffer;
      try {
        buf = readFileSync(csv);
      } catch (e) {
        throw new UsageError(`cannot read ${csv}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      // The lock first: nothing of the job is read for the apply until no other command writes to it.
      await withJobLock(opts.job, 'review apply', async () => {
        const ctx = await openContext(opts.job, opts.doubleKey, opts.today);
        try {
          const r = applyCorrections(ctx, buf, reviewer);
          if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
          else if (r.fatal) {
            process.stdout.write(`Nothing applied. Line ${r.fatal.line}: ${r.fatal.message}.\n`);
          } else {
            process.stdout.write(formatApplyReport(r));
          }
          process.exitCode = r.fatal ? EXIT.failed : r.problemCount ? EXIT.attention : EXIT.ok;
        } finally {
          ctx.store.close();
        }
      });
    });
}
