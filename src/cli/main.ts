// The CLI: one command per file in this folder; each parses options, calls one stage, prints a summary.
import { Command, CommanderError } from 'commander';
import { registerSchemaCommand } from './schema.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('prf-backload')
    .description('Turn scanned paper Patient Report Forms into validated ePR import batches.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerSchemaCommand(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(`prf-backload: ${(e as Error).message}\n`);
    return 1;
  }
}
