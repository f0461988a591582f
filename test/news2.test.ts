import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  news2Score,
  respiratoryRateScore,
  spo2Scale1Score,
  spo2Scale2Score,
  systolicBpScore,
  pulseScore,
  temperatureScore,
  consciousnessScore,
  inspiredScore,
} from '../src/record/news2.ts';
import type { ObservationSet } from '../src/record/schema.ts';

/** A set that scores 0 everywhere; tests change one parameter. */
const normal: ObservationSet = {
  respiratoryRate: 16,
  spo2: 98,
  inspired: 'air',
  systolicBp: 120,
  pulse: 70,
  acvpu: 'A',
  temperature: 37.0,
};

describe('NEWS2 band edges (RCP 2017)', () => {
  it('respiratory rate', () => {
    const cases: [number, number][] = [[0, 3], [8, 3], [9, 1], [11, 1], [12, 0], [20, 0], [21, 2], [24, 2], [25, 3], [70, 3]];
    for (const [rr, s] of cases) expect(respiratoryRateScore(rr), `rr ${rr}`).toBe(s);
  });

  it('SpO2 scale 1', () => {
    const cases: [number, number][] = [[0, 3], [91, 3], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0], [100, 0]];
    for (const [v, s] of cases) expect(spo2Scale1Score(v), `spo2 ${v}`).toBe(s);
  });

  it('SpO2 scale 2, on air and on oxygen', () => {
    const both: [number, number][] = [[0, 3], [83, 3], [84, 2], [85, 2], [86, 1], [87, 1], [88, 0], [92, 0]];
    for (const [v, s] of both) {
      expect(spo2Scale2Score(v, 'air'), `air ${v}`).toBe(s);
      expect(spo2Scale2Score(v, 'oxygen'), `oxygen ${v}`).toBe(s);
    }
    for (const v of [93, 94, 95, 96, 97, 100]) expect(spo2Scale2Score(v, 'air'), `air ${v}`).toBe(0);
    const onO2: [number, number][] = [[93, 1], [94, 1], [95, 2], [96, 2], [97, 3], [100, 3]];
    for (const [v, s] of onO2) expect(spo2Scale2Score(v, 'oxygen'), `oxygen ${v}`).toBe(s);
  });

  it('air or oxygen', () => {
    expect(inspiredScore('air')).toBe(0);
    expect(inspiredScore('oxygen')).toBe(2);
  });

  it('systolic BP', () => {
    const cases: [number, number][] = [[0, 3], [90, 3], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0], [220, 3], [400, 3]];
    for (const [v, s] of cases) expect(systolicBpScore(v), `sbp ${v}`).toBe(s);
  });

  it('pulse', () => {
    const cases: [number, number][] = [[0, 3], [40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [91, 1], [110, 1], [111, 2], [130, 2], [131, 3], [300, 3]];
    for (const [v, s] of cases) expect(pulseScore(v), `pulse ${v}`).toBe(s);
  });

  it('consciousness: A scores 0, C V P U score 3', () => {
    expect(consciousnessScore('A')).toBe(0);
    for (const c of ['C', 'V', 'P', 'U']) expect(consciousnessScore(c)).toBe(3);
  });

  it('temperature at one decimal', () => {
    const cases: [number, number][] = [
      [10, 3], [35.0, 3], [35.1, 1], [36.0, 1], [36.1, 0], [38.0, 0], [38.1, 1], [39.0, 1], [39.1, 2], [42, 2],
    ];
    for (const [v, s] of cases) expect(temperatureScore(v), `temp ${v}`).toBe(s);
    // Floating-point sums land on the band as written at one decimal.
    expect(temperatureScore(35.1 + 0.9)).toBe(1); // 36.0 within float error
    expect(temperatureScore(36.04)).toBe(1);
  });
});

describe('news2Score', () => {
  it('scores a normal set 0 with every part present', () => {
    const r = news2Score(normal);
    expect(r.total).toBe(0);
    expect(Object.keys(r.parts).sort()).toEqual(
      ['consciousness', 'inspired', 'pulse', 'respiratoryRate', 'spo2', 'systolicBp', 'temperature'].sort(),
    );
  });

  it('adds the parts (a sick patient on oxygen)', () => {
    const r = news2Score({ respiratoryRate: 26, spo2: 90, inspired: 'oxygen', systolicBp: 95, pulse: 125, acvpu: 'V', temperature: 39.4 });
    expect(r.parts).toEqual({ respiratoryRate: 3, spo2: 3, inspired: 2, systolicBp: 2, pulse: 2, consciousness: 3, temperature: 2 });
    expect(r.total).toBe(17);
  });

  it('uses scale 2 only when spo2Scale is 2', () => {
    expect(news2Score({ ...normal, spo2: 89 }).parts.spo2).toBe(3);
    expect(news2Score({ ...normal, spo2: 89, spo2Scale: 1 }).parts.spo2).toBe(3);
    expect(news2Score({ ...normal, spo2: 89, spo2Scale: 2 }).parts.spo2).toBe(0);
    expect(news2Score({ ...normal, spo2: 98, spo2Scale: 2, inspired: 'air' }).parts.spo2).toBe(0);
    const o2 = news2Score({ ...normal, spo2: 98, spo2Scale: 2, inspired: 'oxygen' });
    expect(o2.parts.spo2).toBe(3);
    expect(o2.total).toBe(5);
  });

  it('gives a null total when a parameter is missing, keeping the parts it has', () => {
    for (const k of ['respiratoryRate', 'spo2', 'inspired', 'systolicBp', 'pulse', 'acvpu', 'temperature'] as const) {
      const obs = { ...normal };
      delete obs[k];
      const r = news2Score(obs);
      expect(r.total, k).toBeNull();
      expect(Object.keys(r.parts)).toHaveLength(6);
    }
  });

  it('scale 2 above 92 without air/oxygen has no SpO2 part', () => {
    const r = news2Score({ ...normal, spo2: 95, spo2Scale: 2, inspired: undefined });
    expect(r.parts.spo2).toBeUndefined();
    expect(r.total).toBeNull();
  });

  it('total is the sum of parts and lies in 0-20 (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          respiratoryRate: fc.integer({ min: 0, max: 70 }),
          spo2: fc.integer({ min: 0, max: 100 }),
          spo2Scale: fc.constantFrom(1 as const, 2 as const),
          inspired: fc.constantFrom('air' as const, 'oxygen' as const),
          systolicBp: fc.integer({ min: 0, max: 400 }),
          pulse: fc.integer({ min: 0, max: 300 }),
          acvpu: fc.constantFrom('A' as const, 'C' as const, 'V' as const, 'P' as const, 'U' as const),
          temperature: fc.integer({ min: 100, max: 500 }).map((t) => t / 10),
        }),
        (obs) => {
          const r = news2Score(obs);
          const sum = Object.values(r.parts).reduce((a, b) => a + b, 0);
          expect(r.total).toBe(sum);
          expect(r.total).toBeGreaterThanOrEqual(0);
          expect(r.total).toBeLessThanOrEqual(20);
        },
      ),
    );
  });
});
