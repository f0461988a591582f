// CPU time by thread, on Linux from /proc (nanosecond counts in schedstat). Used to tell apart where a scan's CPU
// goes: this process's threads are all called "node" except libvips' own, so the threads that matter are named when
// they start (a page worker names itself, the OCR pool names the thread its tesseract worker runs on), and a sampler
// sums every thread's CPU by name. Elsewhere than Linux everything reads as 0 and naming does nothing.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Thread names (15 characters at most: the kernel's limit) given to the threads a scan's CPU is told apart by. */
export const THREAD_NAMES = { pageWorker: 'prf-page', ocr: 'prf-ocr' } as const;

function schedstatSeconds(path: string): number {
  try {
    return Number(readFileSync(path, 'latin1').split(' ')[0]) / 1e9;
  } catch {
    return 0;
  }
}

export function threadCpuSeconds(): number {
  return schedstatSeconds('/proc/thread-self/schedstat');
}

function readOwnName(): string {
  try {
    return readFileSync('/proc/thread-self/comm', 'latin1').trim();
  } catch {
    return 'node';
  }
}

function comm(tid: string): string | undefined {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'latin1').trim();
  } catch {
    return undefined; // the thread ended
  }
}

/** Ids of this process's threads now. */
export function threadIds(): Set<string> {
  try {
    return new Set(readdirSync('/proc/self/task'));
  } catch {
    return new Set();
  }
}

/** Give the calling thread a name the sampler counts it by. */
export function nameThisThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name);
  } catch {
    // not Linux, or /proc not writable: the CPU is then counted with the helpers
  }
}

/**
 * Name the threads that started since `before` and still carry the name they were born with (Node's default, or the
 * name of the thread that started them, which Linux passes on): a library's worker thread (the OCR engine's), found
 * by its appearing while the library started it. libvips names its own threads.
 */
export function nameNewThreads(before: Set<string>, name: string): string[] {
  const named: string[] = [];
  const inherited = new Set(['node', readOwnName()]);
  for (const tid of threadIds()) {
    if (before.has(tid) || !inherited.has(comm(tid) ?? '')) continue;
    try {
      writeFileSync(`/proc/self/task/${tid}/comm`, name);
      named.push(tid);
    } catch {
      // ended meanwhile
    }
  }
  return named;
}

/**
 * Run `start` (which starts threads), then name the threads it started. The caller makes sure nothing else in the
 * process starts threads meanwhile (the OCR pool starts its tesseract workers one at a time): two starts at once
 * would each see, and name as its own, the other's new thread.
 */
export async function startNamedThreads<T>(name: string, start: () => Promise<T>): Promise<{ value: T; threads: string[] }> {
  const before = threadIds();
  const value = await start();
  return { value, threads: nameNewThreads(before, name) };
}

/** CPU seconds so far of the given threads of this process (one that ended counts 0). */
export function cpuSecondsOf(tids: readonly string[]): number {
  let sum = 0;
  for (const t of tids) sum += schedstatSeconds(`/proc/self/task/${t}/schedstat`);
  return sum;
}

/** A scan's CPU by thread, seconds (user+sys). `engines` = ocr + boxClassifier; everything else is the pipeline's. */
export interface ThreadCpuSplit {
  total: number;
  /** The thread that decodes pages and writes the job store. */
  mainThread: number;
  /** The page workers' threads, the box classifier's inference (which onnxruntime runs on them) left out. */
  pageWorkers: number;
  /** onnxruntime's inference, on the page workers' threads (measured around each call). */
  boxClassifier: number;
  /** The tesseract.js worker threads. */
  ocr: number;
  /** libvips' own threads (sharp: decoding, encoding, resizing). */
  libvips: number;
  /** V8's helpers (garbage collection, compiling JavaScript and WebAssembly) and libuv's pool (sharp's calls, files). */
  helpers: number;
  /** Threads that ended before the last look at them (recycled workers): less than a sampling interval each. */
  unsampled: number;
}

/**
 * Looks at every thread of the process once a second (and when stopped) and keeps each one's last CPU count under
 * the name it had, so a thread that ends (a recycled worker) keeps what it used up to its last look.
 */
export class ThreadCpuSampler {
  private readonly last = new Map<string, { name: string; seconds: number }>();
  private readonly start: Map<string, number>;
  private readonly cpu0 = process.cpuUsage();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 1000) {
    this.start = new Map([...threadIds()].map((t) => [t, schedstatSeconds(`/proc/self/task/${t}/schedstat`)]));
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const t of threadIds()) {
      const name = comm(t);
      const seconds = schedstatSeconds(`/proc/self/task/${t}/schedstat`) - (this.start.get(t) ?? 0);
      if (name !== undefined) this.last.set(t, { name, seconds });
    }
  }

  /** The split since the sampler started; `boxClassifier` is measured by the page workers and taken out of theirs. */
  stop(boxClassifier = 0): ThreadCpuSplit {
    this.sample();
    clearInterval(this.timer);
    const used = process.cpuUsage(this.cpu0);
    const total = (used.user + used.system) / 1e6;
    const s: ThreadCpuSplit = { total, mainThread: 0, pageWorkers: 0, boxClassifier, ocr: 0, libvips: 0, helpers: 0, unsampled: 0 };
    for (const [tid, { name, seconds }] of this.last) {
      if (tid === String(process.pid)) s.mainThread += seconds;
      else if (name === THREAD_NAMES.pageWorker) s.pageWorkers += seconds;
      else if (name === THREAD_NAMES.ocr) s.ocr += seconds;
      else if (name.startsWith('libvips')) s.libvips += seconds;
      else s.helpers += seconds;
    }
    s.pageWorkers = Math.max(0, s.pageWorkers - boxClassifier);
    const seen = s.mainThread + s.pageWorkers + boxClassifier + s.ocr + s.libvips + s.helpers;
    s.unsampled = Math.max(0, total - seen);
    return s;
  }
}
