// Build the CLI into dist/: compile src/ with tsc, copy the files the code reads beside itself (the review page's
// static files), then write the stamp bin/prf-backload compares with the sources' times to decide dist/ is fresh.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = new Date();
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // An install without dev dependencies has no compiler: bin/prf-backload then runs the sources through tsx.
  process.stderr.write('prf-backload build: typescript is not installed; the CLI will run from src/ through tsx\n');
  process.exit(0);
}
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
cpSync(join(root, 'src/review/static'), join(root, 'dist/review/static'), { recursive: true });
mkdirSync(join(root, 'dist'), { recursive: true });
// The stamp carries the time the build started: a source saved during the build counts as newer.
writeFileSync(join(root, 'dist/.build-stamp'), started.toISOString() + '\n');
utimesSync(join(root, 'dist/.build-stamp'), started, started);
