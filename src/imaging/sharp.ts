// sharp, the one way every module loads it: through require. Node's ES loader would load sharp's ES build, whose
// CommonJS dependencies it scans for named exports (cjs-module-lexer, compiled afresh in every thread): require
// skips that, 0.1 CPU-s less at each page worker's start. One copy in a thread, not sharp's ES and CommonJS builds.
import { createRequire } from 'node:module';
import type SharpModule from 'sharp';

export type { Sharp } from 'sharp';
const sharp = createRequire(import.meta.url)('sharp') as typeof SharpModule;
export default sharp;
