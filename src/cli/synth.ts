// `prf-backload synth`: synthetic filled and scanned forms with their ground truth, for testing a set-up and for
// the benchmark. Prints counts and speed only: never a name, NHS number or date of birth.
import type { Command } from 'commander';
import { FONT_POOLS, type FontPool } from '../synth/font-pools.ts';
import { PROFILE_CHOICES, PROFILE_NAMES, type ProfileChoice } from '../synth/scan-profiles.ts';
import { UsageError } from './errors.ts';

const MAX_COUNT = 100_000;

export function registerSynthCommand(program: Command): void {
  program
    .command('synth')
    .description('Make synthetic filled-in, scanned forms (fake patients only) with the ground truth beside each.')
    .requiredOption('--count <n>', 'number of forms')
    .requiredOption('--seed <seed>', 'seed: the same seed gives the same files, byte for byte')
    .requiredOption('--out <dir>', 'output folder (scans/, truth/, cad-incidents.csv, staff-roster.csv, synth-summary.json)')
    .option('--template <name|file>', 'built-in template name or a template JSON file', 'standard-prf')
    .option('--profile <name>', `scanning profile: ${PROFILE_CHOICES.join(', ')}`, 'mixed')
    .option('--hands <pool>', `which pool of handwriting fonts writes the forms: ${FONT_POOLS.join(', ')} (test: hands the box classifier never trained on)`, 'test')
    .option('--first-serial <n>', 'serial of the first form', '1000')
    .option('--json', 'print a machine-readable summary')
    .addHelpText(
      'after',
      [
        '',
        'Profiles: clean (300 dpi, straight), office (200-300 dpi, skew, blur, noise, JPEG),',
        'rough (150-200 dpi, heavy skew, uneven light, speckle, 1-bit fax TIFF), phone (photo, perspective),',
        'mixed (a profile chosen per scanning session).',
        'Every profile but clean turns some sheets upside down (6%) or sideways (2%). Hands vary in pen pressure;',
        'about 4% of forms have a comb box corrected (written over, or scribbled out and rewritten beside it),',
        'marked in the truth.',
        '',
        'Examples:',
        '  $ prf-backload synth --count 50 --seed 7 --out synth-run/',
        '  $ prf-backload synth --count 200 --seed bench-1 --profile office --out bench/office --json',
        '',
      ].join('\n'),
    )
    .action(async (opts: { count: string; seed: string; out: string; template: string; profile: string; hands: string; firstSerial: string; json?: boolean }) => {
      const { loadTemplate } = await import('../template/load.ts');
      const { synthesise } = await import('../synth/synth.ts');
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw new UsageError(`--count ${opts.count}: give a whole number from 1 to ${MAX_COUNT}`);
      if (!(FONT_POOLS as readonly string[]).includes(opts.hands)) {
        throw new UsageError(`--hands ${opts.hands}: use one of ${FONT_POOLS.join(', ')}`);
      }
      if (!(PROFILE_CHOICES as readonly string[]).includes(opts.profile)) {
        throw new UsageError(`--profile ${opts.profile}: use one of ${PROFILE_CHOICES.join(', ')}`);
      }
      const firstSerial = Number(opts.firstSerial);
      if (!Number.isInteger(firstSerial) || firstSerial < 0 || firstSerial + count - 1 > 999_999_999) {
        throw new UsageError(`--first-serial ${opts.firstSerial}: give a whole number so that every serial has at most 9 digits`);
      }
      if (!opts.seed.trim()) throw new UsageError('--seed: give a seed (any text or number)');
      const template = loadTemplate(opts.template);
      const progress = !opts.json && process.stderr.isTTY;
      const result = await synthesise({
        count,
        seed: opts.seed,
        outDir: opts.out,
        template,
        profile: opts.profile as ProfileChoice,
        hands: opts.hands as FontPool,
        firstSerial,
        onProgress: progress ? (done, total) => process.stderr.write(`\r${done}/${total} forms`) : undefined,
      });
      if (progress) process.stderr.write('\n');
      const s = result.summary;
      const perProfile = Object.fromEntries(
        PROFILE_NAMES.filter((p) => s.byProfile[p].forms > 0).map((p) => [p, round(s.byProfile[p].forms / Math.max(result.secondsByProfile[p], 1e-9))]),
      );
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            out: opts.out,
            seed: s.seed,
            template: s.templateId,
            profile: s.profile,
            forms: s.forms,
            formPages: s.formPages,
            blankBacks: s.blankBacks,
            upsideDown: s.upsideDown,
            sideways: s.sideways,
            files: s.files,
            sessions: s.sessions,
            outOfOrderSessions: s.outOfOrderSessions,
            formsWithWriterErrors: s.writerErrors,
            crossOuts: s.crossOuts,
            combCorrections: s.combCorrections,
            formsWithCombCorrections: s.formsWithCombCorrections,
            byContainer: s.byContainer,
            cadRows: s.cad.rows,
            cadIncidentsWithoutForm: s.cad.incidentsWithoutForm.length,
            cadFormsWithoutIncident: s.cad.formsWithoutIncident.length,
            rosterRows: s.roster.rows,
            seconds: round(result.seconds),
            formsPerSecond: round(result.formsPerSecond),
            formsPerSecondByProfile: perProfile,
          }) + '\n',
        );
        return;
      }
      const containers = Object.entries(s.byContainer)
        .map(([c, n]) => `${n} ${c}`)
        .join(', ');
      process.stdout.write(
        [
          `Synthesised ${s.forms} form(s) of ${s.templateId} v${s.templateVersion} (seed ${s.seed}, profile ${s.profile}) into ${opts.out}`,
          `  ${s.formPages} form page(s), ${s.blankBacks} blank back(s), ${s.upsideDown} upside down, ${s.sideways} sideways, ${s.outOfOrderSessions} of ${s.sessions} session(s) out of order`,
          `  ${s.files} scan file(s): ${containers}`,
          `  ${s.writerErrors} form(s) with planted writer errors, ${s.crossOuts} crossed-out tick box(es), ${s.combCorrections} corrected comb box(es) on ${s.formsWithCombCorrections} form(s)`,
          `  CAD log: ${s.cad.rows} incident(s); ${s.cad.incidentsWithoutForm.length} without a form, ${s.cad.formsWithoutIncident.length} form(s) without an incident`,
          `  Staff list: ${s.roster.rows} member(s) of staff, everyone the forms name among the trust's others`,
          `  ${round(result.seconds)} s, ${round(result.formsPerSecond)} forms per second` +
            (Object.keys(perProfile).length ? ` (${Object.entries(perProfile).map(([p, v]) => `${p} ${v}`).join(', ')})` : ''),
          '',
        ].join('\n'),
      );
    });
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
