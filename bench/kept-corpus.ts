// A synthesised corpus the speed and memory benchmarks keep between runs, so two trees (or two worker counts) are
// measured on the same pages: reused when the folder holds a finished corpus, written anew (mixed profiles, the
// synthesiser's default test-pool hands) otherwise.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { synthesise } from '../src/synth/synth.ts';
import type { Template } from '../src/template/schema.ts';

export async function keptCorpus(dir: string, forms: number, seed: string, template: Template): Promise<void> {
  if (existsSync(join(dir, 'synth-summary.json'))) return;
  rmSync(dir, { recursive: true, force: true });
  await synthesise({ count: forms, seed, outDir: dir, template, profile: 'mixed' });
}
