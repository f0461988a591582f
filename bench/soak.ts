// npm run soak [-- --seed N --minutes M --lanes L --json FILE]: the reliability soak for people (CI runs a small sample in
// test/soak-sample.test.ts). Prints a table and writes JSON under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KILL_COMMANDS, runSoak } from './soak/soak.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const seed = Number(arg('seed', '14'));
const minutes = Number(arg('minutes', '10'));
const lanes = Number(arg('lanes', '1'));
const started = Date.now();
const r = await runSoak({ seed, seconds: minutes * 60, lanes, log: (l) => process.stderr.write(`[soak ${((Date.now() - started) / 1000).toFixed(0)} s] ${l}\n`) });

const pad = (s: string | number, n: number) => String(s).padStart(n);
const lines = [
  `Soak, seed ${seed}, ${minutes} min, ${lanes} lane(s) (${((Date.now() - started) / 60000).toFixed(1)} min wall, set-up included)`,
  '',
  `${'command'.padEnd(18)}${pad('runs', 6)}${pad('kills', 7)}${pad('half-done', 11)}${pad('lost', 6)}${pad('duplicated', 12)}${pad('problems', 10)}`,
  ...KILL_COMMANDS.map((c) => {
    const k = r.kills[c];
    return `${c.padEnd(18)}${pad(k.runs, 6)}${pad(k.kills, 7)}${pad(k.halfDone, 11)}${pad(k.lost, 6)}${pad(k.duplicated, 12)}${pad(k.problems.length, 10)}`;
  }),
  `${'total'.padEnd(18)}${pad(KILL_COMMANDS.reduce((n, c) => n + r.kills[c].runs, 0), 6)}${pad(r.totalKills, 7)}${pad(KILL_COMMANDS.reduce((n, c) => n + r.kills[c].halfDone, 0), 11)}${pad(KILL_COMMANDS.reduce((n, c) => n + r.kills[c].lost, 0), 6)}${pad(KILL_COMMANDS.reduce((n, c) => n + r.kills[c].duplicated, 0), 12)}${pad(KILL_COMMANDS.reduce((n, c) => n + r.kills[c].problems.length, 0), 10)}`,
  '',
  `hostile inputs: ${r.inputs.kinds} kinds, ${r.inputs.runs} runs, ${r.inputs.crashes} crashes, ${r.inputs.hangs} hangs, peak RSS ${r.inputs.peakRssMb} MB (limit 1536)`,
  ...r.inputs.failures.map((f) => `  ! ${f}`),
  ...KILL_COMMANDS.flatMap((c) => r.kills[c].problems.slice(0, 5).map((p) => `  ! ${c}: ${p}`)),
];
process.stdout.write(lines.join('\n') + '\n');
const dir = new URL('./results/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const file = arg('json', join(dir, `soak-seed${seed}.json`));
writeFileSync(file, JSON.stringify({ ...r, wallSeconds: (Date.now() - started) / 1000, at: new Date().toISOString() }, null, 2) + '\n');
process.stdout.write(`JSON: ${file}\n`);
const bad = r.inputs.crashes + r.inputs.hangs + KILL_COMMANDS.reduce((n, c) => n + r.kills[c].lost + r.kills[c].duplicated + r.kills[c].problems.length, 0);
process.exitCode = bad > 0 || r.totalKills < 100 || r.inputs.kinds < 50 ? 1 : 0;
