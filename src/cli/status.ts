import type { Command } from 'commander';
import { EXIT } from './errors.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show where every page of a job stands: sources, pages read or quarantined (by reason), forms by status.')
    .requiredOption('--job <dir>', 'job folder')
    .option('--json', 'print a machine-readable summary')
    .addHelpText('after', '\nExample:\n  $ prf-backload status --job jobs/july-outage\n')
    .action(async (opts: { job: string; json?: boolean }) => {
      const { JobStore } = await import('../job/store.ts');
      const store = JobStore.open(opts.job);
      try {
        const c = store.statusCounts();
        if (opts.json) {
          process.stdout.write(JSON.stringify(c, null, 2) + '\n');
        } else {
          const lines = [
            `Sources: ${c.sources.done} read, ${c.sources.failed} unreadable, ${c.sources.reading} interrupted (rerun scan to finish).`,
            `Pages: ${c.pages.total} in all = ${c.pages.read} read + ${c.pages.quarantined} quarantined.`,
            ...Object.entries(c.quarantined).map(([k, v]) => `  quarantined, ${k}: ${v}`),
            `Forms: ${Object.entries(c.records).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
            c.reconciles ? 'Every page is accounted for.' : `DOES NOT RECONCILE: ${c.problems.join('; ')}`,
          ];
          process.stdout.write(lines.join('\n') + '\n');
        }
        process.exitCode = c.reconciles ? EXIT.ok : EXIT.failed;
      } finally {
        store.close();
      }
    });
}
