// Helpers for the reliability tests: run the real CLI as a child process, kill it with SIGKILL after a seeded random
// delay, and look through a folder for what a crash can leave behind (temp files, partial batches, loose modes).
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { JobStore } from '../../src/job/store.ts';
import { BIN } from './cli.ts';

/** A small seeded generator (mulberry32): the same seed gives the same kill moments on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildRun {
  /** True when the child was still running at the deadline and was killed with SIGKILL. */
  killed: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Run `prf-backload <args>`; if killAfterMs is given and the child is still running then, SIGKILL it.
 * Without killAfterMs the child runs to its end (cut at hardTimeoutMs, which fails the caller's checks).
 */
export function runCliChild(args: string[], opts: { killAfterMs?: number; hardTimeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ChildRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sentKill = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timers: NodeJS.Timeout[] = [];
    if (opts.killAfterMs !== undefined) {
      timers.push(
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) {
            sentKill = true;
            child.kill('SIGKILL');
          }
        }, opts.killAfterMs),
      );
    }
    timers.push(setTimeout(() => child.kill('SIGKILL'), opts.hardTimeoutMs ?? 180_000));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      // A child that finished just as the kill was sent exited on its own: it counts as a finished run, not a kill.
      resolve({ killed: sentKill && signal === 'SIGKILL', code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Every path under dir (files and folders), relative to dir; links are listed, not followed. */
export function walkTree(dir: string, rel = ''): { path: string; isDir: boolean; mode: number }[] {
  const out: { path: string; isDir: boolean; mode: number }[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, r));
    out.push({ path: r, isDir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) out.push(...walkTree(dir, r));
  }
  return out;
}

/** Files and folders a crash can leave: temp-named files (.tmp-*), partial or old batch folders, SQLite journals. */
export function leftovers(dir: string): string[] {
  return walkTree(dir)
    .map((e) => e.path)
    .filter((p) => {
      const base = p.split('/').pop()!;
      return base.startsWith('.tmp-') || base.endsWith('.partial') || base.endsWith('.old') || base.endsWith('-journal');
    });
}

/** Entries whose mode is looser than owner-only (folders 0700, files 0600). SQLite's -wal/-shm included. */
export function looseModes(dir: string): string[] {
  return walkTree(dir)
    .filter((e) => (e.isDir ? e.mode !== 0o700 : e.mode !== 0o600))
    .map((e) => `${e.path} ${e.mode.toString(8)}`);
}

/** What every job must satisfy after any run, crashed or not: a sound database and pages that reconcile. */
export function expectConsistentJob(store: JobStore): ReturnType<JobStore['statusCounts']> {
  expect(store.integrityCheck()).toEqual({ ok: true, problems: [] });
  const counts = store.statusCounts();
  expect(counts.problems).toEqual([]);
  expect(counts.reconciles).toBe(true);
  expect(counts.sources.reading).toBe(0);
  return counts;
}
