// Progress on a terminal: pages done, pages a minute, time left. Silent when output is not a terminal.
import type { ScanProgress } from '../job/scan.ts';

export function progressBar(stream: NodeJS.WriteStream = process.stderr): { update: (p: ScanProgress) => void; done: () => void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  const update = (p: ScanProgress) => {
    const now = Date.now();
    if (now - last < 250 && p.pagesDone < p.pagesTotal) return;
    last = now;
    const minutes = (now - p.startedAt) / 60_000;
    const rate = minutes > 0 ? p.pagesDone / minutes : 0;
    const left = rate > 0 ? (p.pagesTotal - p.pagesDone) / rate : NaN;
    const width = 28;
    const share = p.pagesTotal ? Math.min(1, p.pagesDone / p.pagesTotal) : 0;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    const eta = Number.isFinite(left) ? `${Math.floor(left)}m${String(Math.round((left % 1) * 60)).padStart(2, '0')}s left` : '';
    stream.write(`\r[${bar}] ${p.pagesDone}/${p.pagesTotal} pages  ${rate.toFixed(1)} pages/min  ${eta}   `);
  };
  return { update, done: () => stream.write('\n') };
}
