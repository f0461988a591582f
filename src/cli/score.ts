import type { Command } from 'commander';
import type { ScoreReport } from '../job/score.ts';
import type { Calibration } from '../job/validate.ts';
import { join } from 'node:path';
import { UsageError } from './errors.ts';

const pct = (a: number, b: number) => (b ? `${((a / b) * 100).toFixed(1)}%` : '-');

export function formatScore(r: ScoreReport): string {
  const lines = [
    `Forms: ${r.forms}. Pages identified and registered: ${r.pages.identified}/${r.pages.expected} (${pct(r.pages.identified, r.pages.expected)}).`,
    ...Object.entries(r.pages.byProfile).map(([p, v]) => `  ${p.padEnd(8)} ${v.identified}/${v.expected}`),
    '',
    'type       fields  read right  written  written right  accepted  silent errors (omitted)  conf. AUC',
    ...Object.entries(r.byType)
      .sort()
      .map(
        ([t, s]) =>
          `${t.padEnd(10)} ${String(s.fields).padStart(6)}  ${pct(s.readRight, s.fields).padStart(10)}  ${String(s.written).padStart(7)}  ${pct(s.writtenReadRight, s.written).padStart(13)}  ${pct(s.accepted, s.fields).padStart(8)}  ${`${s.silentErrors} (${s.silentOmissions})`.padStart(23)}  ${s.auc === null ? '-' : s.auc.toFixed(3)}`,
      ),
    '',
    `Automation: ${r.automation.accepted}/${r.automation.fields} fields accepted by the machine (${pct(r.automation.accepted, r.automation.fields)}).`,
    `Silent errors: ${r.silentErrors.count} (${r.silentErrors.perThousandAccepted.toFixed(2)} per 1,000 accepted fields): ${r.silentErrors.wrong} accepted but wrong, ${r.silentErrors.omitted} written but read as blank and shown to nobody.`,
    `Writer errors planted: ${r.writerErrors.planted}, flagged: ${r.writerErrors.flagged}.`,
    `Ready forms with a wrong NHS number or date of birth: ${r.readyWithWrongIdentity}.`,
  ];
  return lines.join('\n') + '\n';
}

export function registerScoreCommands(program: Command): void {
  program
    .command('score')
    .description('Compare a job read from synthetic forms with their ground truth: accuracy per field type, confidence against correctness, automation and silent errors.')
    .requiredOption('--job <dir>', 'job folder')
    .requiredOption('--truth <dir>', 'folder of ground-truth JSON files (from synth)')
    .option('--json', 'print a machine-readable report')
    .addHelpText('after', '\nExample:\n  $ prf-backload synth --count 20 --seed 7 --out trial && prf-backload scan trial/scans --job trial-job\n  $ prf-backload validate --job trial-job && prf-backload score --job trial-job --truth trial/truth\n')
    .action(async (opts: { job: string; truth: string; json?: boolean }) => {
      const { scoreJob } = await import('../job/score.ts');
      const r = scoreJob(opts.job, opts.truth);
      process.stdout.write(opts.json ? JSON.stringify(r, null, 2) + '\n' : formatScore(r));
    });

  program
    .command('calibrate')
    .description(
      'Choose the confidence threshold of each field type from scored synthetic data, so that the share of wrong values ' +
        'the machine accepts stays under the target on all the forms and on each half of them (alternate serials): one ' +
        'lucky cut is not enough. Writes calibration.json into the job; run validate again after.',
    )
    .requiredOption('--job <dir>', 'job folder read from synthetic forms')
    .requiredOption('--truth <dir>', 'their ground truth')
    .option('--target <share>', 'largest share of accepted values that may be wrong', '0.001')
    .option('--out <file>', 'where to write the calibration (default: JOB/calibration.json)')
    .option('--json', 'print the calibration as JSON')
    .addHelpText('after', '\nExample:\n  $ prf-backload calibrate --job trial-job --truth trial/truth --target 0.001\n  $ cp trial-job/calibration.json jobs/july-outage/ && prf-backload validate --job jobs/july-outage\n')
    .action(async (opts: { job: string; truth: string; target: string; out?: string; json?: boolean }) => {
      const { calibrateJob, NEVER_ACCEPT, loadTruthDir } = await import('../job/score.ts');
      const { JobStore } = await import('../job/store.ts');
      const { CALIBRATION_FILE } = await import('../job/validate.ts');
      const { writePrivateFileAtomic } = await import('../job/fs-safe.ts');
      const target = Number(opts.target);
      if (!(target > 0 && target < 0.5)) throw new UsageError(`--target ${opts.target}: give a share between 0 and 0.5, e.g. 0.001`);
      const store = JobStore.open(opts.job);
      let cal: Calibration;
      try {
        cal = calibrateJob(store, loadTruthDir(opts.truth), target);
      } finally {
        store.close();
      }
      const out = opts.out ?? join(opts.job, CALIBRATION_FILE);
      writePrivateFileAtomic(out, JSON.stringify(cal, null, 2) + '\n');
      if (opts.json) process.stdout.write(JSON.stringify(cal, null, 2) + '\n');
      else {
        process.stdout.write(
          `Calibrated on ${cal.measuredOn.fields} fields of ${cal.measuredOn.forms} forms, target ${target}:\n` +
            Object.entries(cal.thresholds)
              .map(([t, v]) =>
                v >= NEVER_ACCEPT
                  ? `  ${t.padEnd(20)} never: no confidence keeps wrong values under the target; all go to a person`
                  : t.includes(':')
                    ? `  ${t.padEnd(20)} with this evidence, accept at evidence confidence >= ${v.toFixed(4)}`
                    : `  ${t.padEnd(20)} accept at confidence >= ${v.toFixed(4)}`,
              )
              .join('\n') +
            `\nTypes not listed keep the strict default (too little evidence to accept any lower, on all the forms or on one half);\na kind of evidence not listed raises nothing (too few fields had it, or it could not keep the target on all the forms\nand on each half).\nWritten to ${out}. Run validate again to apply it.\n`,
        );
      }
    });
}
