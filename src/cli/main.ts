// The CLI: one command per file in this folder; each parses options, calls one stage, prints a summary.
import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './errors.ts';
import { registerFormCommand } from './form.ts';
import { registerSchemaCommand } from './schema.ts';
import { registerScanCommand } from './scan.ts';
import { registerStatusCommand } from './status.ts';
import { registerValidateCommand } from './validate.ts';
import { registerExportCommand } from './export.ts';
import { registerReconcileCommand } from './reconcile.ts';
import { registerScoreCommands } from './score.ts';
import { registerSynthCommand } from './synth.ts';
import { registerReviewCommand } from './review.ts';
import { registerAuditCommand } from './audit.ts';
import { storageFaultMessage } from '../job/fs-safe.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('prf-backload')
    .description('Turn scanned paper Patient Report Forms into validated ePR import batches.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerSchemaCommand(program);
  registerFormCommand(program);
  registerScanCommand(program);
  registerStatusCommand(program);
  registerValidateCommand(program);
  registerExportCommand(program);
  registerReconcileCommand(program);
  registerReviewCommand(program);
  registerAuditCommand(program);
  registerSynthCommand(program);
  registerScoreCommands(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // A full or read-only disk is named as such, with the folder, instead of SQLite's "disk I/O error".
    const fault = storageFaultMessage(e, jobOption(argv));
    process.stderr.write(`prf-backload: ${fault ?? (e as Error).message}\n`);
    if (e instanceof UsageError) return EXIT.usage;
    // Loaded only on this path: the template module is not needed to parse arguments.
    const { TemplateError } = await import('../template/load.ts');
    if (e instanceof TemplateError) return EXIT.failed;
    if (process.env.PRF_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.failed;
  }
}

/** The --job folder named on the command line, if any (to name it in an error). */
function jobOption(argv: string[]): string | undefined {
  const i = argv.indexOf('--job');
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith('--job='))?.slice('--job='.length);
}
