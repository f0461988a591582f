import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT } from './errors.ts';

/** Lines of quarantined pages the plain output lists before it points to --json for the rest. */
const LISTED_AT_MOST = 200;

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'Show where every page of a job stands: sources, pages read or quarantined (by reason, and each quarantined page that needs a person by file, page and reason), forms by status.',
    )
    .requiredOption('--job <dir>', 'job folder')
    .option('--blank', 'list the blank pages too (duplex backs and empty sheets, which are otherwise only counted)')
    .option('--json', 'print a machine-readable summary, every quarantined page included')
    .addHelpText('after', '\nExample:\n  $ prf-backload status --job jobs/july-outage\n')
    .action(async (opts: { job: string; blank?: boolean; json?: boolean }) => {
      const { JobStore } = await import('../job/store.ts');
      const store = JobStore.open(opts.job);
      try {
        const c = store.statusCounts();
        // The page's reason already names its file and page; the thumbnail is what a person looks at to act on it.
        const files = new Map(store.pages.sources().map((s) => [s.id, s.path]));
        const quarantinedPages = store.pages.quarantinedPages().map((p) => ({
          file: files.get(p.sourceId) ?? '',
          page: p.pageIndex + 1,
          reasonCode: p.reasonCode ?? 'unknown',
          reason: p.reason ?? '',
          ...(p.thumbPath ? { thumbnail: join(opts.job, p.thumbPath) } : {}),
        }));
        if (opts.json) {
          process.stdout.write(JSON.stringify({ ...c, quarantinedPages }, null, 2) + '\n');
        } else {
          // Blank backs are expected by the thousand in a duplex run: listed only when asked for, so the pages a
          // person must act on (rescan, assign, fetch the other copy) are not buried among them.
          const toList = quarantinedPages.filter((p) => opts.blank || p.reasonCode !== 'blank-page');
          const lines = [
            `Sources: ${c.sources.done} read, ${c.sources.failed} unreadable, ${c.sources.reading} interrupted (rerun scan to finish).`,
            `Pages: ${c.pages.total} in all = ${c.pages.read} read + ${c.pages.quarantined} quarantined.`,
            ...Object.entries(c.quarantined).map(([k, v]) => `  quarantined, ${k}: ${v}`),
            ...quarantineList(toList, quarantinedPages.length - toList.length),
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

/** The quarantined pages as lines: each page's reason (file and page first) and its thumbnail, at most LISTED_AT_MOST. */
function quarantineList(pages: { reasonCode: string; reason: string; thumbnail?: string }[], blankLeftOut: number): string[] {
  if (!pages.length) return blankLeftOut ? [`Quarantined pages: only blank pages (${blankLeftOut}; --blank lists them).`] : [];
  const shown = pages.slice(0, LISTED_AT_MOST);
  return [
    `Quarantined pages${blankLeftOut ? ` (blank pages left out: ${blankLeftOut}; --blank lists them)` : ''}:`,
    ...shown.map((p) => `  [${p.reasonCode}] ${p.reason}${p.thumbnail ? ` (thumbnail: ${p.thumbnail})` : ''}`),
    ...(pages.length > shown.length ? [`  ... and ${pages.length - shown.length} more: status --json lists every one.`] : []),
  ];
}
