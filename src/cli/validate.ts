import type { Command } from 'commander';
import { EXIT, UsageError } from './errors.ts';
import { DowntimeWindowError, formatDowntimeWindow, parseDowntimeWindow, type DowntimeWindow } from '../record/downtime.ts';
import { isRealIsoDate } from '../record/schema.ts';
import { checkInputFile } from './paths.ts';
import { parseColumnMap, parseColumns } from './reconcile.ts';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'Check every value against the ePR schema and the rules across fields; accept what the machine can show is right,\n' +
        'send the rest to a person. Run again after corrections. Exit 0 when every form is ready, 3 when some need a person.',
    )
    .requiredOption('--job <dir>', 'job folder')
    .option('--today <yyyy-mm-dd>', 'date to check birth and incident dates against (default: today)')
    .option('--cad <file>', "the trust's CAD incident export (CSV) to check incident numbers, dates, call signs and call times against; kept in the job, replacing any imported before")
    .option('--cad-columns <map>', 'CAD header names, e.g. incidentNumber=CallRef,incidentDate=Created')
    .option('--roster <file>', "the trust's staff list (CSV: staff number, and where it has them name and HCPC number) to check staff numbers, HCPC numbers and the clinician's name against; kept in the job, replacing any imported before")
    .option('--roster-columns <map>', 'the staff list\'s staff-number header, e.g. staffNumber=AssignmentNo')
    .option('--downtime <from..to>', 'first and last day the crews wrote on paper, e.g. 2023-07-10..2023-07-31: an incident date outside them goes to a person; kept in the job, replacing any given before')
    .option('--json', 'print a machine-readable summary')
    .addHelpText(
      'after',
      '\nExamples:\n  $ prf-backload validate --job jobs/july-outage\n  $ prf-backload validate --job jobs/july-outage --cad cad-export.csv --roster staff-list.csv --downtime 2023-07-10..2023-07-31\n',
    )
    .action(async (opts: { job: string; today?: string; cad?: string; cadColumns?: string; roster?: string; rosterColumns?: string; downtime?: string; json?: boolean }) => {
      if (opts.cad) checkInputFile('--cad', opts.cad);
      if (opts.roster) checkInputFile('--roster', opts.roster);
      if (opts.today !== undefined && !isRealIsoDate(opts.today)) throw new UsageError(`--today ${opts.today}: give a real date as YYYY-MM-DD`);
      const downtime = opts.downtime === undefined ? undefined : downtimeOption(opts.downtime);
      const columns = parseColumns(opts.cadColumns, '--cad-columns');
      const rosterColumns = parseColumnMap('--roster-columns', opts.rosterColumns, ['staffNumber'] as const);
      const { validateJob } = await import('../job/validate.ts');
      const { importCadIntoJob } = await import('../job/cad-import.ts');
      const { importRosterIntoJob } = await import('../job/roster-import.ts');
      const today = opts.today ?? new Date().toISOString().slice(0, 10);
      const { withJobLock } = await import('../job/job-lock.ts');
      const { cad, roster, s } = await withJobLock(opts.job, 'validate', async () => {
        const cad = opts.cad ? await importCadIntoJob(opts.job, opts.cad, columns) : undefined;
        const roster = opts.roster ? await importRosterIntoJob(opts.job, opts.roster, rosterColumns) : undefined;
        return { cad, roster, s: validateJob({ jobDir: opts.job, today, ...(downtime ? { downtime } : {}) }) };
      });
      const r = s.records;
      if (opts.json) process.stdout.write(JSON.stringify({ ...s, ...(cad ? { cad } : {}), ...(roster ? { roster } : {}) }, null, 2) + '\n');
      else {
        process.stdout.write(
          [
            cad
              ? `CAD log: ${cad.imported} incident(s) imported from ${cad.rows} row(s)` +
                (cad.duplicates ? `, ${cad.duplicates} repeated number(s) skipped` : '') +
                (cad.unreadable ? `, ${cad.unreadable} row(s) with no incident number` : '') +
                (!cad.has.callSign || !cad.has.callReceived ? ` (no ${[!cad.has.callSign && 'call sign', !cad.has.callReceived && 'call-received time'].filter(Boolean).join(' or ')} column)` : '') +
                '.'
              : '',
            roster
              ? `Staff list: ${roster.imported} member(s) of staff imported from ${roster.rows} row(s)` +
                (roster.duplicates ? `, ${roster.duplicates} repeated staff number(s) skipped` : '') +
                (roster.unreadable ? `, ${roster.unreadable} row(s) with no staff number of digits` : '') +
                (!roster.has.name || !roster.has.hcpc ? ` (no ${[!roster.has.name && 'name', !roster.has.hcpc && 'HCPC number'].filter(Boolean).join(' or ')} column)` : '') +
                '.'
              : '',
            s.downtime ? `Downtime window: ${formatDowntimeWindow(s.downtime)} (incident dates outside it go to a person).` : '',
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

function downtimeOption(text: string): DowntimeWindow {
  try {
    return parseDowntimeWindow(text);
  } catch (e) {
    if (e instanceof DowntimeWindowError) throw new UsageError(`--downtime: ${e.message}`);
    throw e;
  }
}
