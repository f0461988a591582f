// Class-wise calibration of the box classifier's best alternative: the transform never makes another reading sure,
// the fit recovers a known miscalibration, and the model files carry it (a bad exponent is refused by name).
import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BoxModelError, defaultModelDir, loadBoxClassifier, META_FILE, MODEL_FILE } from '../src/recognition/box-classifier.ts';
import { CELL_INPUT } from '../src/recognition/cell-image.ts';
import { EXPONENT_MAX, EXPONENT_MIN, fitClassExponents, fitExponent, recalibrate, type BoxSample } from '../src/recognition/class-calibration.ts';
import { createRng } from '../src/synth/rng.ts';

/** Alternatives of one box: distinct characters, probabilities summing to at most 1, best first. */
const alternatives = fc
  .array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 })
  .map((w) => {
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x, i) => ({ char: '0123456789'[i]!, p: x / sum })).sort((a, b) => b.p - a.p);
  });

describe('recalibrate', () => {
  it('changes only the best p, never raises another alternative, keeps the order and a total of at most 1', () => {
    fc.assert(
      fc.property(alternatives, fc.double({ min: EXPONENT_MIN, max: EXPONENT_MAX, noNaN: true }), (alts, a) => {
        const out = recalibrate('digits', alts, { [`digits:${alts[0]!.char}`]: a });
        expect(out).toHaveLength(alts.length);
        const before = new Map(alts.map((x) => [x.char, x.p]));
        const best = out.find((x) => x.char === alts[0]!.char)!;
        expect(best.p).toBeCloseTo(alts[0]!.p ** a, 12);
        for (const x of out) if (x.char !== alts[0]!.char) expect(x.p).toBeLessThanOrEqual(before.get(x.char)!);
        for (let i = 1; i < out.length; i++) expect(out[i]!.p).toBeLessThanOrEqual(out[i - 1]!.p);
        expect(out.reduce((s, x) => s + x.p, 0)).toBeLessThanOrEqual(1 + 1e-9);
      }),
    );
  });

  it('leaves a class it has no exponent for, or another charset, exactly as it was', () => {
    fc.assert(
      fc.property(alternatives, (alts) => {
        expect(recalibrate('digits', alts, {})).toEqual(alts);
        expect(recalibrate('alnum', alts, { [`digits:${alts[0]!.char}`]: 5 })).toEqual(alts);
      }),
    );
  });

  it('a 7 the network is unsure of, made less sure, hands the lead to the 1 at the 1\'s own p', () => {
    const out = recalibrate('digits', [{ char: '7', p: 0.6 }, { char: '1', p: 0.38 }, { char: '4', p: 0.02 }], { 'digits:7': 4 });
    expect(out[0]).toEqual({ char: '1', p: 0.38 });
    expect(out[1]!.char).toBe('7');
    expect(out[1]!.p).toBeCloseTo(0.6 ** 4, 12);
  });
});

describe('fitting the exponents', () => {
  /** Boxes whose best p the network gives as q, right with probability q^trueA. */
  const boxesOf = (trueA: number, n: number, seed: string): BoxSample[] => {
    const rng = createRng(seed);
    return Array.from({ length: n }, () => {
      const q = 0.5 + 0.5 * rng.next();
      return { p: q, right: rng.next() < q ** trueA };
    });
  };

  it('recovers an overconfident class (a > 1) and an underconfident one (a < 1) from their boxes', () => {
    expect(fitExponent(boxesOf(4, 20000, 'over'))).toBeGreaterThan(3.4);
    expect(fitExponent(boxesOf(4, 20000, 'over'))).toBeLessThan(4.6);
    const under = fitExponent(boxesOf(0.5, 20000, 'under'));
    expect(under).toBeGreaterThan(0.4);
    expect(under).toBeLessThan(0.6);
  });

  it('keeps a class never wrong from being made certain, and fits no class with too few boxes', () => {
    const never = Array.from({ length: 2000 }, (_, i) => ({ p: 0.9 + 0.1 * (i / 2000), right: true }));
    const a = fitExponent(never);
    expect(a).toBeGreaterThanOrEqual(EXPONENT_MIN);
    expect(0.9 ** a).toBeLessThan(0.999);
    const out = fitClassExponents(new Map([['digits:1', boxesOf(2, 1000, 'x')], ['digits:7', boxesOf(2, 20, 'y')]]));
    expect(Object.keys(out)).toEqual(['digits:1']);
  });
});

describe('the model files carry the calibration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icr-classcal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withMeta = (name: string, edit: (m: Record<string, unknown>) => void) => {
    const d = join(dir, name);
    mkdirSync(d);
    copyFileSync(join(defaultModelDir(), MODEL_FILE), join(d, MODEL_FILE));
    const m = JSON.parse(readFileSync(join(defaultModelDir(), META_FILE), 'utf8')) as Record<string, unknown>;
    edit(m);
    writeFileSync(join(d, META_FILE), JSON.stringify(m));
    return d;
  };

  it('an exponent out of bounds, on an unknown charset or class, is refused naming the metadata file', async () => {
    for (const [name, ex] of [
      ['big', { 'digits:7': 1000 }],
      ['charset', { 'nope:7': 2 }],
      ['class', { 'digits:%': 2 }],
      ['type', { 'digits:7': '2' }],
    ] as const) {
      const d = withMeta(name, (m) => (m.classExponents = ex));
      const err = await loadBoxClassifier({ modelDir: d }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BoxModelError);
      expect((err as Error).message).toContain(join(d, META_FILE));
      expect((err as Error).message).toMatch(/classExponents/);
    }
  });

  it('the same network with and without its exponents: only the best p of the named classes changes', async () => {
    const plain = await loadBoxClassifier({ modelDir: withMeta('plain', (m) => delete m.classExponents) });
    const rng = createRng('cells');
    const cells = Array.from({ length: 60 }, () => Float32Array.from({ length: CELL_INPUT }, (_, i) => (i < 784 && rng.next() < 0.2 ? rng.next() : 0)));
    const raw = await plain.classify('digits', cells);
    const ex = Object.fromEntries([...new Set(raw.map((r) => r[0]!.char))].map((c) => [`digits:${c}`, 3]));
    const cal = await loadBoxClassifier({ modelDir: withMeta('cal', (m) => (m.classExponents = ex)) });
    expect(cal.modelVersion).not.toBe(plain.modelVersion);
    const got = await cal.classify('digits', cells);
    got.forEach((alts, i) => expect(alts).toEqual(recalibrate('digits', raw[i]!, ex)));
    await plain.release();
    await cal.release();
  });
});
