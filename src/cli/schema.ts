import type { Command } from 'commander';

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('Print the ePR record schema as JSON Schema, for ePR integrators.')
    .addHelpText('after', '\nExample:\n  $ prf-backload schema > prf-record.schema.json\n')
    .action(async () => {
      const { recordJsonSchema } = await import('../record/schema.ts');
      process.stdout.write(JSON.stringify(recordJsonSchema(), null, 2) + '\n');
    });
}
