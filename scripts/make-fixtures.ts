// Make the committed synthetic corpus in fixtures/: a dozen filled and scanned forms across every scanning profile
// and every container (PNG, JPEG, 8-bit and 1-bit multi-page TIFF, multi-page PDF), with an upside-down page,
// blank duplex backs and out-of-order pages; the ground truth in fixtures/truth/ and the CAD log and staff list beside them.
// Fake patients only. Byte-for-byte the same on every run. Run: npx tsx scripts/make-fixtures.ts
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '../src/template/load.ts';
import { synthesise, type SessionPlan } from '../src/synth/synth.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const FIXTURE_SEED = 'fixtures-1';
const MAX_BYTES = 15 * 1024 * 1024;
/** What synth writes that the fixtures keep. */
const FIXTURE_FILES = ['scans', 'truth', 'cad-incidents.csv', 'staff-roster.csv', 'synth-summary.json'];

export const FIXTURE_PLAN: SessionPlan[] = [
  { profile: 'clean', container: 'png', forms: 2, duplex: false, outOfOrder: false },
  { profile: 'clean', container: 'pdf', forms: 1, duplex: false, outOfOrder: false },
  { profile: 'office', container: 'jpeg', forms: 2, duplex: true, outOfOrder: false, upsideDownRate: 0 },
  { profile: 'office', container: 'tiff', forms: 2, duplex: false, outOfOrder: true, upsideDownRate: 0 },
  { profile: 'rough', container: 'tiff-1bit', forms: 2, duplex: true, outOfOrder: false, upsideDownRate: 0.3 },
  { profile: 'rough', container: 'jpeg', forms: 1, duplex: false, outOfOrder: false, upsideDownRate: 0 },
  { profile: 'phone', container: 'jpeg', forms: 1, duplex: false, outOfOrder: false, upsideDownRate: 0 },
  { profile: 'phone', container: 'pdf', forms: 1, duplex: false, outOfOrder: true, upsideDownRate: 0 },
];

async function main(): Promise<void> {
  const count = FIXTURE_PLAN.reduce((n, p) => n + p.forms, 0);
  const work = mkdtempSync(join(tmpdir(), 'prf-fixtures-'));
  try {
    const result = await synthesise({
      count,
      seed: FIXTURE_SEED,
      outDir: work,
      template: loadTemplate('standard-prf'),
      profile: 'mixed',
      sessionPlan: FIXTURE_PLAN,
    });
    const s = result.summary;
    // The corpus must show every awkward case it promises.
    const problems: string[] = [];
    if (s.upsideDown < 1) problems.push('no upside-down page');
    if (s.blankBacks < 1) problems.push('no blank back');
    if (s.outOfOrderSessions < 1) problems.push('no out-of-order session');
    if (problems.length) throw new Error(`fixture corpus is missing: ${problems.join(', ')} (change FIXTURE_SEED)`);
    const bytes = sizeOf(work);
    if (bytes > MAX_BYTES) throw new Error(`fixture corpus is ${(bytes / 1e6).toFixed(1)} MB, over the 15 MB limit`);

    for (const name of FIXTURE_FILES) rmSync(join(FIXTURES, name), { recursive: true, force: true });
    for (const name of FIXTURE_FILES) cpSync(join(work, name), join(FIXTURES, name), { recursive: true });
    process.stdout.write(
      `fixtures: ${s.forms} forms, ${s.formPages} form pages, ${s.blankBacks} blank backs, ${s.upsideDown} upside down, ` +
        `${s.files} files (${JSON.stringify(s.byContainer)}), ${(bytes / 1e6).toFixed(1)} MB, ${result.seconds.toFixed(1)} s\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
