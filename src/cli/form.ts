import type { Command } from 'commander';
import { UsageError } from './errors.ts';
import { checkOutputFile, checkOutputFolder } from './paths.ts';

export function registerFormCommand(program: Command): void {
  const form = program.command('form').description('Print the downtime form crews fill in while the ePR is down.');
  form
    .command('render')
    .description('Render blank forms, each with its own serial in every page\'s QR code: a PDF to print, or PNG previews.')
    .option('--template <name|file>', 'built-in template name or a template JSON file', 'standard-prf')
    .requiredOption('--serials <range>', 'form serials to print, e.g. 1000-1099')
    .requiredOption('--out <path>', 'output PDF file (or folder, with --format png)')
    .option('--format <pdf|png>', 'pdf for print, png for previews', 'pdf')
    .option('--dpi <n>', 'resolution of PNG previews', '150')
    .option('--json', 'print a machine-readable summary')
    .addHelpText(
      'after',
      '\nExamples:\n  $ prf-backload form render --serials 1000-1099 --out forms.pdf\n  $ prf-backload form render --serials 1000 --format png --dpi 150 --out previews/\n',
    )
    .action(async (opts: { template: string; serials: string; out: string; format: string; dpi: string; json?: boolean }) => {
      const { loadTemplate } = await import('../template/load.ts');
      const { parseSerialRange, renderFormsPdf, renderFormsPng } = await import('../template/render-forms.ts');
      const template = loadTemplate(opts.template);
      const range = parseSerialRange(opts.serials);
      let pages: number;
      if (opts.format === 'pdf') {
        checkOutputFile('--out', opts.out);
        pages = (await renderFormsPdf(template, range, opts.out)).pages;
      } else if (opts.format === 'png') {
        const dpi = Number(opts.dpi);
        if (!Number.isInteger(dpi) || dpi < 50 || dpi > 600) throw new UsageError(`--dpi ${opts.dpi}: give a whole number from 50 to 600`);
        checkOutputFolder('--out', opts.out, 'PNG previews go in a folder (use --format pdf for one file)');
        pages = (await renderFormsPng(template, range, opts.out, dpi)).pages;
      } else {
        throw new UsageError(`--format ${opts.format}: use pdf or png`);
      }
      const forms = range.last - range.first + 1;
      if (opts.json) process.stdout.write(JSON.stringify({ template: template.id, version: template.version, forms, pages, out: opts.out }) + '\n');
      else process.stdout.write(`Rendered ${forms} form(s), ${pages} page(s) of ${template.id} v${template.version} to ${opts.out}\n`);
    });
}
