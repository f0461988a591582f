import type { Command } from 'commander';
import { EXIT } from './errors.ts';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'Check every value against the ePR schema and the rules across fields; accept what the machine can show is right,\n' +
        'send the rest to a person. Run again after corrections. Exit 0 when every form is ready, 3 when some need a person.',
    )
    .requiredOption('--job <dir>', 'job folder')
    .option('--today <yyyy-mm-dd>', 'date to check birth dates against (default: today)')
    .option('--json', 'print a machine-readable summary')
    .addHelpText('after', '\nExample:\n  $ prf-backload validate --job jobs/july-outage\n')
    .action(async (opts: { job: string; today?: string; json?: boolean }) => {
      const { validateJob } = await import('../job/validate.ts');
      const today = opts.today ?? new Date().toISOString().slice(0, 10);
      const { withJobLock } = await import('../job/job-lock.ts');
      const s = await withJobLock(opts.job, 'validate', () => validateJob({ jobDir: opts.job, today }));
      const r = s.records;
      if (opts.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else {
        process.stdout.write(
          [
            `Forms: ${r.ready} ready, ${r['needs-review']} need review, ${r.blocked} blocked, ${r.incomplete} missing a page, ${r.exported} already exported.`,
            `Fields: ${s.fields.accepted} accepted by the machine, ${s.fields.needsReview} for a person, ${s.fields.verified} verified, ${s.fields.blank} blank.`,
            `Thresholds from: ${s.thresholdsFrom}.`,
            s.topReasons.length ? 'Commonest reasons:' : '',
            // Codes and counts only: the messages can quote values read off the form.
            ...s.topReasons.map((t) => `  ${String(t.count).padStart(5)}  ${t.code}`),
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
      }
      process.exitCode = r.ready === Object.values(r).reduce((a, b) => a + b, 0) - r.exported ? EXIT.ok : EXIT.attention;
    });
}
