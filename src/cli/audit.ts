import type { Command } from 'commander';
import { UsageError } from './errors.ts';

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'The history of a form\'s values, from the OCR read to each person\'s decision, oldest first.\n' +
        'With --record: who changed which field of that form, how and when; add --values to print the values too\n' +
        '(names, dates of birth: for the data manager who asked for them, not for a shared terminal). Without: counts per form.',
    )
    .requiredOption('--job <dir>', 'job folder')
    .option('--record <serial>', 'the form serial whose history to print')
    .option('--values', 'with --record: print the values read and decided (patient data)')
    .option('--json', 'print machine-readable output')
    .addHelpText('after', '\nExamples:\n  $ prf-backload audit --job jobs/july-outage\n  $ prf-backload audit --job jobs/july-outage --record 001234\n  $ prf-backload audit --job jobs/july-outage --record 001234 --values\n')
    .action(async (opts: { job: string; record?: string; values?: boolean; json?: boolean }) => {
      const { JobStore } = await import('../job/store.ts');
      const { jobTemplate } = await import('../job/validate.ts');
      const { formatRecordHistory, recordHistory, withoutValues } = await import('../review/audit-format.ts');
      const store = JobStore.open(opts.job);
      try {
        if (opts.values && opts.record === undefined) throw new UsageError('--values goes with --record SERIAL');
        if (opts.record !== undefined) {
          if (!/^\d{1,9}$/.test(opts.record)) throw new UsageError(`--record ${opts.record}: a form serial is digits only`);
          if (!store.records.record(opts.record)) throw new UsageError(`there is no form ${opts.record} in this job`);
          const full = recordHistory(opts.record, store.review.auditOf(opts.record));
          const h = opts.values ? full : withoutValues(full);
          if (opts.json) process.stdout.write(JSON.stringify(h, null, 2) + '\n');
          else {
            let labels = new Map<string, string>();
            try {
              labels = new Map(jobTemplate(store).fields.map((f) => [f.id, f.label]));
            } catch {
              // a job without a template still has its audit
            }
            process.stdout.write(formatRecordHistory(h, labels, { values: opts.values }));
          }
          return;
        }
        const rows = store.review.auditSummary();
        const status = new Map(store.records.listRecords().map((r) => [r.serial, r.status]));
        if (opts.json) {
          process.stdout.write(JSON.stringify(rows.map((r) => ({ ...r, status: status.get(r.serial) ?? null })), null, 2) + '\n');
          return;
        }
        const lines = [`Audit entries per form (${rows.length} form(s)); use --record SERIAL for one form's history.`];
        lines.push(`  ${'form'.padEnd(10)} ${'entries'.padStart(7)} ${'people'.padStart(6)}  ${'status'.padEnd(13)} last change`);
        for (const r of rows) {
          lines.push(`  ${r.serial.padEnd(10)} ${String(r.entries).padStart(7)} ${String(r.reviewers).padStart(6)}  ${(status.get(r.serial) ?? '').padEnd(13)} ${r.lastAt}`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      } finally {
        store.close();
      }
    });
}
