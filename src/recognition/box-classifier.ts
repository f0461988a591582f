// The comb-box character classifier: a small CNN (trained by training/, shipped as models/icr-boxes.onnx plus its
// metadata models/icr-boxes.json) run with onnxruntime-node. One network reads every charset; a charset masks the
// classes it cannot hold before the calibrated softmax (one temperature, then each best class's own exponent:
// class-calibration.ts). Input: cellTensor() of each cell.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { threadCpuSeconds } from '../page/thread-cpu.ts';
import { CELL_INPUT, CELL_SIZE } from './cell-image.ts';
import { EXPONENT_MAX, EXPONENT_MIN, recalibrate, type ClassExponents } from './class-calibration.ts';

// onnxruntime (CommonJS) through require, when the first session is made: see imaging/sharp.ts.
let ortModule: typeof Ort | undefined;
const ort = (): typeof Ort => (ortModule ??= createRequire(import.meta.url)('onnxruntime-node') as typeof Ort);

/** The charsets the template's comb fields use (see WHITELISTS in read-page.ts). */
export type BoxCharset = 'digits' | 'letters' | 'alnum' | 'dose';

/**
 * One reading of one box. `p` is calibrated (temperature-scaled softmax over the charset's classes plus noise, the
 * best class's p then raised to its class exponent).
 * `char: ''` is the noise class: "not one clean character" (a smudge, a fragment of the printed comb, ink from
 * the next box, two characters, a crossed-out or overwritten character, an empty cell). A box whose best
 * alternative is '' must go to a person, as must one whose best p is under the caller's calibrated threshold.
 */
export interface BoxAlternative {
  char: string;
  p: number;
}

export interface BoxClassifier {
  /** The exact model: its name plus a short sha256 of its files, for a job to record. */
  readonly modelVersion: string;
  /** Per cell (cellTensor output, CELL_INPUT floats), the top 5 alternatives, most probable first. */
  classify(charset: BoxCharset, cells: Float32Array[]): Promise<BoxAlternative[][]>;
  release(): Promise<void>;
  /**
   * CPU seconds this classifier's own work has taken on the calling thread so far (Linux; 0 elsewhere): the
   * network's run and the handling of its input and output, not whatever else the thread did while a call waited.
   */
  cpuSeconds?(): number;
}

/** The noise class's character. */
export const NOT_A_CHARACTER = '';
export const TOP_K = 5;

export const CHARSETS: Record<BoxCharset, string> = {
  digits: '0123456789',
  letters: "ABCDEFGHIJKLMNOPQRSTUVWXYZ-'",
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  dose: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./',
};

/** Every class the network outputs, in the order training writes labels: the noise class first. */
export const BOX_CLASSES: readonly string[] = [NOT_A_CHARACTER, ...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', '-', "'", '.', '/'];

export const MODEL_FILE = 'icr-boxes.onnx';
export const META_FILE = 'icr-boxes.json';

/** What the model's metadata file holds (written by training/train.py). */
export interface BoxModelMeta {
  name: string;
  /** Class index to character; '' is the noise class. */
  classes: string[];
  /** Softmax temperature fitted on the validation pool. */
  temperature: number;
  cellSize: number;
  /** Floats a cell: the pixels and the geometry numbers after them (CELL_INPUT). */
  inputLength: number;
  input: string;
  output: string;
  /**
   * Class-wise calibration of the best alternative (class-calibration.ts), by `${charset}:${char}`, fitted on
   * scanned boxes of validation hands by training/fit-class-calibration.ts; absent: the temperature alone.
   */
  classExponents?: Record<string, number>;
}

/** A model file that is missing or unusable; the message names the file and what is wrong. */
export class BoxModelError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`box classifier model ${file}: ${problem}`);
    this.name = 'BoxModelError';
  }
}

/** models/ at the repository root, found from this module's place (never the working directory). */
export function defaultModelDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');
}

function readModelFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BoxModelError(path, code === 'ENOENT' ? 'the file is missing (restore it from the repository)' : `cannot be read (${code ?? 'error'})`);
  }
}

function parseMeta(path: string, buf: Buffer): BoxModelMeta {
  let m: unknown;
  try {
    m = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new BoxModelError(path, 'is not valid JSON (truncated or overwritten?)');
  }
  const o = m as Partial<BoxModelMeta>;
  const ok =
    typeof o === 'object' &&
    o !== null &&
    typeof o.name === 'string' &&
    Array.isArray(o.classes) &&
    o.classes.every((c) => typeof c === 'string') &&
    o.classes.includes(NOT_A_CHARACTER) &&
    typeof o.temperature === 'number' &&
    o.temperature > 0 &&
    o.cellSize === CELL_SIZE &&
    o.inputLength === CELL_INPUT &&
    typeof o.input === 'string' &&
    typeof o.output === 'string';
  if (!ok) throw new BoxModelError(path, `does not describe a box classifier (needs name, classes with '', temperature > 0, cellSize ${CELL_SIZE}, inputLength ${CELL_INPUT}, input, output)`);
  for (const cs of Object.values(CHARSETS)) {
    for (const ch of cs) if (!o.classes!.includes(ch)) throw new BoxModelError(path, `has no class for '${ch}'`);
  }
  if (o.classExponents !== undefined) {
    const e = o.classExponents as unknown;
    const bad =
      typeof e !== 'object' ||
      e === null ||
      Object.entries(e).some(([k, a]) => {
        const [cs, ch] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
        return !(cs in CHARSETS) || !o.classes!.includes(ch) || typeof a !== 'number' || !(a >= EXPONENT_MIN && a <= EXPONENT_MAX);
      });
    if (bad) throw new BoxModelError(path, `classExponents must map charset:class to a number from ${EXPONENT_MIN} to ${EXPONENT_MAX}`);
  }
  return o as BoxModelMeta;
}

export async function loadBoxClassifier(opts: { modelDir?: string } = {}): Promise<BoxClassifier> {
  const dir = opts.modelDir ?? defaultModelDir();
  const modelPath = join(dir, MODEL_FILE);
  const metaPath = join(dir, META_FILE);
  const metaBuf = readModelFile(metaPath);
  const modelBuf = readModelFile(modelPath);
  const meta = parseMeta(metaPath, metaBuf);
  let session: Ort.InferenceSession;
  try {
    session = await ort().InferenceSession.create(modelBuf, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (e) {
    throw new BoxModelError(modelPath, `is not a usable ONNX model (truncated or corrupt?): ${firstLine(e)}`);
  }
  if (!session.inputNames.includes(meta.input) || !session.outputNames.includes(meta.output)) {
    throw new BoxModelError(modelPath, `does not match ${META_FILE} (expects input ${meta.input} and output ${meta.output})`);
  }
  const sha = createHash('sha256').update(modelBuf).update(metaBuf).digest('hex').slice(0, 12);
  const classifier = new OnnxBoxClassifier(session, meta, `${meta.name}@${sha}`, meta.classExponents ?? {});
  // One blank cell through the network now, so a model with the wrong shape fails here and not on a page.
  try {
    const [r] = await classifier.logits([new Float32Array(CELL_INPUT)]);
    if (r!.length !== meta.classes.length) throw new Error(`gives ${r!.length} scores, the metadata names ${meta.classes.length} classes`);
  } catch (e) {
    await session.release();
    throw new BoxModelError(modelPath, `does not run as a box classifier: ${firstLine(e)}`);
  }
  return classifier;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200);
}

class OnnxBoxClassifier implements BoxClassifier {
  private readonly allowed = new Map<BoxCharset, number[]>();
  private cpu = 0;
  constructor(
    private readonly session: Ort.InferenceSession,
    private readonly meta: BoxModelMeta,
    readonly modelVersion: string,
    private readonly exponents: ClassExponents,
  ) {
    for (const [cs, chars] of Object.entries(CHARSETS) as [BoxCharset, string][]) {
      this.allowed.set(cs, [NOT_A_CHARACTER, ...chars].map((c) => meta.classes.indexOf(c)));
    }
  }

  cpuSeconds(): number {
    return this.cpu;
  }

  /** Raw scores per cell, one per class. */
  async logits(cells: Float32Array[]): Promise<Float32Array[]> {
    const n = cells.length;
    if (n === 0) return [];
    const c0 = threadCpuSeconds();
    const input = new Float32Array(n * CELL_INPUT);
    cells.forEach((c, i) => {
      if (c.length !== CELL_INPUT) throw new RangeError(`cell ${i} has ${c.length} values; cellTensor gives ${CELL_INPUT}`);
      input.set(c, i * CELL_INPUT);
    });
    // onnxruntime-node runs the network synchronously in a setImmediate of its own, queued by run() before it
    // returns. One of ours queued just before marks when that starts: the thread's CPU from then to this call's
    // continuation (which runs right after ort's callback resolves it) is the run's, not the work the thread did
    // while the call waited in the queue (the rest of the page's reading).
    let runStart = NaN;
    setImmediate(() => (runStart = threadCpuSeconds()));
    const running = this.session.run({ [this.meta.input]: new (ort().Tensor)('float32', input, [n, CELL_INPUT]) });
    this.cpu += threadCpuSeconds() - c0;
    const out = await running;
    const c1 = threadCpuSeconds();
    if (!Number.isNaN(runStart)) this.cpu += c1 - runStart;
    const t = out[this.meta.output]!;
    const data = t.data as Float32Array;
    const k = data.length / n;
    const scores = Array.from({ length: n }, (_, i) => data.subarray(i * k, (i + 1) * k));
    this.cpu += threadCpuSeconds() - c1;
    return scores;
  }

  async classify(charset: BoxCharset, cells: Float32Array[]): Promise<BoxAlternative[][]> {
    const allowed = this.allowed.get(charset);
    if (!allowed) throw new RangeError(`unknown charset ${charset}`);
    const scores = await this.logits(cells);
    const c0 = threadCpuSeconds();
    try {
      return this.alternatives(charset, allowed, scores);
    } finally {
      this.cpu += threadCpuSeconds() - c0;
    }
  }

  /** Each cell's top alternatives among the charset's classes (calibrated softmax, then the class exponents). */
  private alternatives(charset: BoxCharset, allowed: number[], scores: Float32Array[]): BoxAlternative[][] {
    const T = this.meta.temperature;
    return scores.map((s) => {
      let max = -Infinity;
      for (const c of allowed) max = Math.max(max, s[c]! / T);
      const e = allowed.map((c) => Math.exp(s[c]! / T - max));
      const sum = e.reduce((a, b) => a + b, 0);
      const ranked = allowed.map((c, i) => ({ char: this.meta.classes[c]!, p: e[i]! / sum })).sort((a, b) => b.p - a.p);
      return recalibrate(charset, ranked, this.exponents).slice(0, TOP_K);
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
