// The box classifier at scan start: a missing or corrupt model file is a clear error naming the file, exit 1,
// before any page is read (no job is even created); a job read by one model refuses pages read by another.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanJob } from '../src/job/scan.ts';
import { JobStore } from '../src/job/store.ts';
import { MODEL_VERSION_META, ReaderMismatchError } from '../src/job/reader-version.ts';
import { BoxModelError, defaultModelDir, META_FILE, MODEL_FILE } from '../src/recognition/box-classifier.ts';
import { loadTemplate } from '../src/template/load.ts';
import { runCli } from './helpers/cli.ts';

const template = loadTemplate('standard-prf');
const scans = join(import.meta.dirname, '..', 'fixtures', 'scans');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'prf-scanmodel-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('box model at scan start', () => {
  it('a missing model file stops the scan naming the file, before any page is read', async () => {
    const modelDir = tmp();
    copyFileSync(join(defaultModelDir(), META_FILE), join(modelDir, META_FILE));
    const jobDir = join(tmp(), 'job');
    const err = await scanJob({ inputs: [scans], jobDir, template, workers: 1, modelDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BoxModelError);
    expect((err as Error).message).toContain(join(modelDir, MODEL_FILE));
    expect((err as Error).message).toMatch(/missing/);
    expect(existsSync(join(jobDir, 'job.sqlite'))).toBe(false);
  });

  it('a corrupt model file: exit 1 from the CLI with one plain line naming it, no stack trace', () => {
    const modelDir = tmp();
    copyFileSync(join(defaultModelDir(), META_FILE), join(modelDir, META_FILE));
    writeFileSync(join(modelDir, MODEL_FILE), Buffer.from('not an onnx model at all'));
    const jobDir = join(tmp(), 'job');
    const r = runCli(['scan', scans, '--job', jobDir, '--workers', '1', '--model-dir', modelDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(modelDir, MODEL_FILE));
    expect(r.stderr).toMatch(/not a usable ONNX model/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(jobDir, 'job.sqlite'))).toBe(false);
  });

  it('refuses to add pages to a job read by another model, reading nothing', async () => {
    const jobDir = join(tmp(), 'job');
    mkdirSync(jobDir, { recursive: true });
    const store = JobStore.open(jobDir, { create: true, templateId: template.id, templateVersion: template.version });
    store.setMeta(MODEL_VERSION_META, 'icr-boxes@000000000000');
    store.close();
    const err = await scanJob({ inputs: [scans], jobDir, template, workers: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReaderMismatchError);
    expect((err as Error).message).toMatch(/icr-boxes@000000000000/);
    const after = JobStore.open(jobDir);
    expect(after.statusCounts().pages.total).toBe(0);
    expect(after.getMeta(MODEL_VERSION_META)).toBe('icr-boxes@000000000000');
    after.close();
  });
});
