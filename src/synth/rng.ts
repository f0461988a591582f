// A small seeded PRNG (sfc32, seeded from a string hash) with the helpers the synthesiser needs.
// Everything synthetic is deterministic for a seed. `fork(label)` gives an independent sub-stream derived from
// the seed and the label only (not from how many draws were made), so adding a draw in one place does not
// shift every value generated after it elsewhere.

export interface Rng {
  /** The key this stream was derived from: the seed, then `/label` per fork. */
  readonly key: string;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  float(min: number, max: number): number;
  pick<T>(arr: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Normally distributed (Box-Muller). */
  normal(mean: number, sd: number): number;
  /** One of the items, with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** A shuffled copy. */
  shuffle<T>(arr: readonly T[]): T[];
  /** `count` distinct items from arr, in random order. */
  sample<T>(arr: readonly T[], count: number): T[];
  /** An independent sub-stream named by label. The same label on the same stream always gives the same stream. */
  fork(label: string): Rng;
}

/** A stream for a seed. A number and its decimal string (42 and '42') give the same stream. */
export function createRng(seed: number | string): Rng {
  return makeRng(String(seed));
}

function makeRng(key: string): Rng {
  const next = sfc32(...cyrb128(key));
  // Warm up: the first outputs of sfc32 from close seeds are correlated.
  for (let i = 0; i < 15; i++) next();

  const rng: Rng = {
    key,
    next,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new Error(`bad int range ${min}..${max}`);
      return min + Math.floor(next() * (max - min + 1));
    },
    float(min, max) {
      return min + next() * (max - min);
    },
    pick(arr) {
      if (arr.length === 0) throw new Error('pick from an empty list');
      return arr[Math.floor(next() * arr.length)]!;
    },
    chance(p) {
      return next() < p;
    },
    normal(mean, sd) {
      const u = 1 - next(); // (0, 1]: log(0) is not allowed
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    weighted(items) {
      const total = items.reduce((s, [, w]) => s + w, 0);
      if (!(total > 0)) throw new Error('weighted pick needs a positive total weight');
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1]![0];
    },
    shuffle(arr) {
      const out = [...arr];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    sample(arr, count) {
      return rng.shuffle(arr).slice(0, Math.max(0, count));
    },
    fork(label) {
      return makeRng(`${key}/${label}`);
    },
  };
  return rng;
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 32-bit state words. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** cyrb128: a fast 128-bit string hash, used only to turn a seed string into sfc32's four state words. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
