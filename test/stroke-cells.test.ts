// The procedural stroke writers (training/stroke-cells.ts): every box class is written and reaches the classifier's
// input through the shared cutCell / cellTensor path, the output is fixed by the seed, a writer keeps its variant,
// the variants really differ, and the `strokes` data part writes train-split cells only.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOX_CLASSES, NOT_A_CHARACTER } from '../src/recognition/box-classifier.ts';
import { CELL_INPUT, cellTensor } from '../src/recognition/cell-image.ts';
import { createRng } from '../src/synth/rng.ts';
import { buildPart, QUICK, SOURCES } from '../training/build-dataset.ts';
import { sheetCells, toBytes, type Content } from '../training/font-cells.ts';
import { arc, GLYPHS, parseStrokes, strokeCells, strokeHand, styleOf, type Style } from '../training/stroke-cells.ts';

const CHARS = BOX_CLASSES.filter((c) => c !== NOT_A_CHARACTER);
const OPTS = { chars: CHARS.join(''), digitWeight: 2.5, noiseShare: 0.12 };

/** A writer whose choices are fixed: `picks` by key, else the first variant; numbers at mid-range. */
function fixedStyle(picks: Record<string, string | boolean>): Style {
  return {
    pick: (key, variants) => (picks[key] as (typeof variants)[number][0]) ?? variants[0]![0],
    num: (_key, lo, hi) => (lo + hi) / 2,
    has: (key) => (picks[key] as boolean) ?? false,
  };
}

async function written(chars: string[], seed: string, style?: Style): Promise<Uint8Array[]> {
  const rng = createRng(seed);
  const contents: Content[] = chars.map((ch) => ({ kind: 'char', ch }));
  const cells = await sheetCells(strokeHand(rng.fork('writer'), style), contents, CHARS.join(''), rng);
  return cells.map((c) => toBytes(cellTensor(c.cell)));
}

const ink = (t: Uint8Array) => t.reduce((a, b) => a + b, 0) / 255;
const distance = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / 255;

describe('stroke writers', () => {
  it('write every box class, and each cell reaches cellTensor at the classifier size with ink in it', async () => {
    expect(Object.keys(GLYPHS).sort()).toEqual([...CHARS].sort());
    const tensors = await written(CHARS, 'every-class');
    expect(tensors).toHaveLength(CHARS.length);
    tensors.forEach((t, i) => {
      expect(t.length, CHARS[i]).toBe(CELL_INPUT);
      // A dot is a few pixels; a letter far more.
      expect(ink(t), CHARS[i]).toBeGreaterThan(CHARS[i] === '.' ? 2 : 12);
    });
  });

  it('give the same cells for the same seed, and other cells for another seed', async () => {
    const a = await strokeCells(60, createRng('same'), OPTS);
    const b = await strokeCells(60, createRng('same'), OPTS);
    const c = await strokeCells(60, createRng('other'), OPTS);
    expect(a.labels).toEqual(b.labels);
    expect(a.tensors).toEqual(b.tensors);
    expect(a.tensors).not.toEqual(c.tensors);
    expect(new Set(a.labels.filter(Boolean)).size).toBeGreaterThan(20);
    for (const l of a.labels) expect(BOX_CLASSES).toContain(l);
  });

  it('draw the variants people write, and they differ from each other', async () => {
    const pairs: [string, Record<string, string | boolean>, Record<string, string | boolean>][] = [
      ['1', { '1.flag': 'none' }, { '1.flag': 'long' }],
      ['1', { '1.flag': 'short' }, { '1.flag': 'short', '1.base': true }],
      ['2', { '2.form': 'plain' }, { '2.form': 'loop' }],
      ['4', { '4.form': 'closed' }, { '4.form': 'open' }],
      ['7', { '7.stem': 'straight' }, { '7.stem': 'straight', '7.bar': true }],
      ['9', { '9.tail': 'straight' }, { '9.tail': 'curved' }],
      ['I', {}, { 'I.serif': true }],
      ['J', {}, { 'J.bar': true }],
      ['M', { 'M.form': 'pointed' }, { 'M.form': 'round' }],
    ];
    for (const [ch, x, y] of pairs) {
      // The same seed for both: the sample's jitter is the same, only the variant differs.
      const [a] = await written([ch], `variant-${ch}`, fixedStyle(x));
      const [b] = await written([ch], `variant-${ch}`, fixedStyle(y));
      const [a2] = await written([ch], `variant-${ch}`, fixedStyle(x));
      expect(a2, ch).toEqual(a);
      expect(distance(a!, b!), `${ch} ${JSON.stringify(x)} vs ${JSON.stringify(y)}`).toBeGreaterThan(15);
    }
  });

  it('a writer keeps its choices whatever order they are asked in, and writers differ', () => {
    const flags = [['none', 1], ['short', 1], ['long', 1]] as const;
    const a = styleOf(createRng('writer-a'));
    const first = [a.pick('1.flag', flags), a.num('1.long', 0, 1), a.has('7.bar', 0.5)];
    for (let i = 0; i < 3; i++) expect([a.pick('1.flag', flags), a.num('1.long', 0, 1), a.has('7.bar', 0.5)]).toEqual(first);
    const b = styleOf(createRng('writer-a'));
    // Asked in another order, the same writer answers the same.
    const bar = b.has('7.bar', 0.5);
    expect([b.pick('1.flag', flags), b.num('1.long', 0, 1), bar]).toEqual(first);
    const seen = new Set(Array.from({ length: 30 }, (_, i) => styleOf(createRng(`w-${i}`)).pick('1.flag', flags)));
    expect(seen.size).toBe(3);
  });

  it('parse the stroke paths, arcs included', () => {
    expect(parseStrokes('M0.5 0 L0.5 1 M0.3 1 L0.7 1')).toEqual([
      { start: [0.5, 0], segs: [[[0.5, 1]]] },
      { start: [0.3, 1], segs: [[[0.7, 1]]] },
    ]);
    const circle = parseStrokes(arc(0.5, 0.5, 0.3, 0.5, -90, -450))[0]!;
    expect(circle.segs).toHaveLength(4);
    const end = circle.segs.at(-1)!.at(-1)!;
    expect(end[0]).toBeCloseTo(0.5, 6);
    expect(end[1]).toBeCloseTo(0, 6);
    expect(() => parseStrokes('M0 0 Z')).toThrow(/unexpected Z/);
  });

  it('the strokes data part writes train-split cells only, with the stroke source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strokes-part-'));
    try {
      await buildPart(dir, 'strokes-test', { ...QUICK, strokeCells: 120 }, 'strokes', () => {});
      const parts = join(dir, 'parts');
      const y = readFileSync(join(parts, 'strokes.train.y.u8'));
      expect(y.length).toBeGreaterThan(110);
      expect(readFileSync(join(parts, 'strokes.train.x.u8')).length).toBe(y.length * CELL_INPUT);
      expect([...new Set(readFileSync(join(parts, 'strokes.train.src.u8')))]).toEqual([SOURCES.indexOf('stroke')]);
      expect(existsSync(join(parts, 'strokes.validation.y.u8'))).toBe(false);
      expect(existsSync(join(parts, 'strokes.test.y.u8'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
