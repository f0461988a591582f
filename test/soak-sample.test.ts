// A small seeded sample of the soak (npm run soak is the full one, for people): a few hostile inputs of each sort
// and a handful of kills of the quicker writing commands, with the same checks after each recovery. (Scan and the
// review server take seconds a run under CI load; the soak kills them.)
import { expect, it } from 'vitest';
import { KILL_COMMANDS, runSoak } from '../bench/soak/soak.ts';

it('soak sample: kills recover with nothing lost or duplicated; hostile inputs neither crash nor hang', async () => {
  const r = await runSoak({ seed: 7, seconds: 20, hostileShare: 0.25, hostileLimit: 1, maxKills: 3, commands: ['validate', 'review apply', 'export --reissue'] });
  expect(r.inputs.failures).toEqual([]);
  expect(r.inputs.kinds).toBeGreaterThanOrEqual(2); // one scan kind and one corrections-CSV kind
  for (const c of KILL_COMMANDS) {
    expect(r.kills[c].problems, c).toEqual([]);
    expect(r.kills[c].lost + r.kills[c].duplicated, c).toBe(0);
  }
  expect(r.totalKills).toBeGreaterThan(0);
  expect(r.inputs.peakRssMb).toBeLessThan(1536);
}, 90_000);
