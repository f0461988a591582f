import type { Command } from 'commander';
import { recordJsonSchema } from '../record/schema.ts';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('Print the ePR record schema as JSON Schema, for ePR integrators.')
    .addHelpText('after', '\nExample:\n  $ prf-backload schema > prf-record.schema.json\n')
    .action(() => {
      process.stdout.write(JSON.stringify(recordJsonSchema(), null, 2) + '\n');
    });
}
