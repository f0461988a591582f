// A job is read by one box model: the first scan records its version; a scan with another model is refused, and
// so is adding classifier-read pages to a job whose comb boxes tesseract read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimReaderVersion, MODEL_VERSION_META, ReaderMismatchError } from '../src/job/reader-version.ts';
import { JobStore } from '../src/job/store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function newStore() {
  const dir = mkdtempSync(join(tmpdir(), 'prf-model-'));
  dirs.push(dir);
  return { dir, store: JobStore.open(dir, { create: true, templateId: 't', templateVersion: 1 }) };
}

describe('model version of a job', () => {
  it('is recorded by the first scan and accepted again by the same model', () => {
    const { dir, store } = newStore();
    claimReaderVersion(store, dir, 'box-1.0');
    expect(store.getMeta(MODEL_VERSION_META)).toBe('box-1.0');
    expect(() => claimReaderVersion(store, dir, 'box-1.0')).not.toThrow();
    store.close();
  });

  it('refuses another model with a plain message, and leaves the job as it was', () => {
    const { dir, store } = newStore();
    claimReaderVersion(store, dir, 'box-1.0');
    let err: unknown;
    try {
      claimReaderVersion(store, dir, 'box-2.0');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReaderMismatchError);
    expect((err as Error).message).toMatch(/read with box model box-1\.0.*uses box model box-2\.0.*new job/);
    expect(store.getMeta(MODEL_VERSION_META)).toBe('box-1.0');
    store.close();
  });

  it('refuses a job whose pages were read before box models (by tesseract)', () => {
    const { dir, store } = newStore();
    const src = store.pages.beginSource({ path: 'a.png', sha256: 'a'.repeat(64), bytes: 1, format: 'png' });
    store.pages.savePage({ sourceId: src, pageIndex: 0, state: 'read', serial: '1', pageNo: 1, templateId: 't', templateVersion: 1, pagesExpected: 1, rotation: 0, fields: [] });
    expect(() => claimReaderVersion(store, dir, 'box-1.0')).toThrow(/earlier reader \(tesseract/);
    expect(store.getMeta(MODEL_VERSION_META)).toBeUndefined();
    store.close();
  });
});
