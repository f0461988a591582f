import type { Command } from 'commander';
import type { CadColumnMap } from '../export/reconcile.ts';
import { EXIT, UsageError } from './errors.ts';
import { checkInputFile, checkOutputFile } from './paths.ts';

/** A column map given on the command line ("incidentNumber=CallRef,incidentDate=Created"), keys checked. */
export function parseColumnMap<K extends string>(option: string, text: string | undefined, keys: readonly K[]): Partial<Record<K, string>> {
  if (!text) return {};
  const out: Partial<Record<K, string>> = {};
  for (const part of text.split(',')) {
    const [key, header] = part.split('=').map((s) => s.trim());
    if (!keys.includes(key as K) || !header) {
      throw new UsageError(`${option} "${part}": use ${keys.map((k) => `${k}=HEADER`).join(',')}`);
    }
    out[key as K] = header;
  }
  return out;
}

/** `--columns incidentNumber=HEADER,incidentDate=HEADER` as a CAD column map. */
export const parseColumns = (text: string | undefined, option = '--columns'): Partial<CadColumnMap> =>
  parseColumnMap(option, text, ['incidentNumber', 'incidentDate'] as const);

export function registerReconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description('Compare the job with the CAD incident log: incidents with no form, forms with no incident, duplicates, dates that disagree.')
    .requiredOption('--job <dir>', 'job folder')
    .requiredOption('--cad <file>', 'CAD incident export (CSV; comma, semicolon or tab)')
    .option('--columns <map>', 'CAD header names, e.g. incidentNumber=CallRef,incidentDate=Created')
    .option('--out <file>', 'also write the findings as CSV')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExample:\n  $ prf-backload reconcile --job jobs/july-outage --cad cad-export.csv --out reconcile.csv\n')
    .action(async (opts: { job: string; cad: string; columns?: string; out?: string; json?: boolean }) => {
      checkInputFile('--cad', opts.cad);
      if (opts.out) checkOutputFile('--out', opts.out);
      const { reconcileJob, reportToCsv } = await import('../export/reconcile.ts');
      const { writePrivateFileAtomic } = await import('../job/fs-safe.ts');
      const report = await reconcileJob({ jobDir: opts.job, cadCsvPath: opts.cad, columns: parseColumns(opts.columns) });
      if (opts.out) writePrivateFileAtomic(opts.out, reportToCsv(report));
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        const rows: [string, number, string][] = [
          ['Incidents in the CAD log with no form', report.incidentsWithoutPrfTotal, report.incidentsWithoutPrf.slice(0, 8).map((i) => i.incidentNumber).join(' ')],
          ['Forms whose incident is not in the log', report.prfsWithoutIncident.length, report.prfsWithoutIncident.slice(0, 8).map((p) => `${p.formSerial}:${p.incidentNumber}`).join(' ')],
          ['Forms whose incident number is not yet verified', report.prfsWithoutIncidentNumber.length, report.prfsWithoutIncidentNumber.slice(0, 8).join(' ')],
          ['Two forms for one incident and patient', report.samePatientTwice.length, report.samePatientTwice.slice(0, 8).map((d) => `${d.incidentNumber}:${d.formSerials.join('+')}`).join(' ')],
          ['Dates that disagree', report.dateMismatches.length, report.dateMismatches.slice(0, 8).map((d) => `${d.formSerial}`).join(' ')],
          ['Incident numbers listed twice in the log', report.duplicateIncidents.length, report.duplicateIncidents.slice(0, 8).map((d) => d.incidentNumber).join(' ')],
          ['CAD rows that could not be read', report.unreadableRows.length, report.unreadableRows.slice(0, 8).map((r) => `line ${r.line}`).join(' ')],
        ];
        const w = Math.max(...rows.map((r) => r[0].length));
        process.stdout.write(
          `${report.prfCount} form(s) against ${report.cadFile.rows} CAD row(s); ${report.matchedPrfs} matched.\n` +
            rows.map(([k, n, ex]) => `${k.padEnd(w)}  ${String(n).padStart(6)}  ${ex}`).join('\n') +
            (opts.out ? `\nFindings written to ${opts.out}` : '') +
            '\n',
        );
      }
      const gaps = report.incidentsWithoutPrfTotal + report.prfsWithoutIncident.length + report.samePatientTwice.length + report.dateMismatches.length;
      process.exitCode = gaps > 0 ? EXIT.attention : EXIT.ok;
    });
}
