// CPU time of the calling thread, and of the process's libvips threads, on Linux from /proc (nanosecond counts
// in schedstat). Used to tell apart where a scan's CPU goes: the JavaScript threads, libvips, and the rest, which
// is the recognition engines' threads (plus V8's and libuv's helpers). Elsewhere these read as 0.
import { readdirSync, readFileSync } from 'node:fs';

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

/** CPU seconds of libvips' worker threads so far (sharp's decoding, resizing and encoding). */
export function libvipsCpuSeconds(): number {
  let sum = 0;
  try {
    for (const t of readdirSync('/proc/self/task')) {
      try {
        if (readFileSync(`/proc/self/task/${t}/comm`, 'latin1').startsWith('libvips')) sum += schedstatSeconds(`/proc/self/task/${t}/schedstat`);
      } catch {
        // the thread ended
      }
    }
  } catch {
    return 0;
  }
  return sum;
}
